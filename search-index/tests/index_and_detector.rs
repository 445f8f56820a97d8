//! Integration tests of the index, the duplicate detector and the gallery search.
#![expect(clippy::unwrap_used, reason = "test fixtures fail loudly")]

use search_index::legacy::{encode_tcvn3, encode_vni};
use search_index::synth::{CopyKind, Generator, InitiativeText, Rng, make_copy};
use search_index::{
    DetectedEncoding, IndexedInitiative, SearchFilters, SearchIndex, SimilarityQuery, Verdict,
};

const INITIATIVES: &str = include_str!("../eval/initiatives.json");
const HARD_NEGATIVES: &str = include_str!("../eval/hard_negatives.json");

#[derive(serde::Deserialize)]
struct Entry {
    #[serde(default)]
    key: String,
    #[serde(default)]
    of: String,
    #[serde(flatten)]
    text: InitiativeText,
}

fn entries(json: &str) -> Vec<Entry> {
    serde_json::from_str(json).unwrap()
}

fn doc(id: u64, program: u64, path: &str, t: &InitiativeText) -> IndexedInitiative {
    IndexedInitiative {
        id,
        program_id: program,
        field_id: None,
        union_path: path.to_string(),
        status: if id.is_multiple_of(2) {
            "approved"
        } else {
            "submitted"
        }
        .to_string(),
        submitted_at: 1_700_000_000 + id as i64,
        title: t.title.clone(),
        body_sections: t.sections.clone(),
    }
}

/// Originals 1.., hard negatives 1001.., 300 distractors 100000..
fn fixture() -> (SearchIndex, Vec<Entry>, Vec<Entry>) {
    let index = SearchIndex::open_in_ram().unwrap();
    let originals = entries(INITIATIVES);
    let negatives = entries(HARD_NEGATIVES);
    for (i, e) in originals.iter().enumerate() {
        let program = 1 + (i as u64 % 2);
        let path = format!("/1/{}/{}/", 2 + i % 3, 20 + i % 5);
        index
            .upsert(&doc(1 + i as u64, program, &path, &e.text))
            .unwrap();
    }
    for (i, e) in negatives.iter().enumerate() {
        index
            .upsert(&doc(1001 + i as u64, 1, "/1/9/", &e.text))
            .unwrap();
    }
    let mut g = Generator::new(3);
    let distractors: Vec<IndexedInitiative> = (0..300)
        .map(|i| doc(100_000 + i, 3, "/1/8/", &g.next_initiative()))
        .collect();
    index.upsert_many(&distractors).unwrap();
    index.commit().unwrap();
    (index, originals, negatives)
}

fn check(index: &SearchIndex, title: &str, text: &str) -> search_index::SimilarResult {
    index
        .check_similar(&SimilarityQuery {
            title: title.into(),
            text: text.into(),
            limit: 5,
            ..Default::default()
        })
        .unwrap()
}

#[test]
fn copies_are_found_as_duplicates_with_passages() {
    let (index, originals, _) = fixture();
    let orig = &originals[5].text;
    let body = orig.body();

    let res = check(&index, &encode_tcvn3(&orig.title), &encode_tcvn3(&body));
    assert_eq!(res.detected_encoding, DetectedEncoding::Tcvn3);
    assert_eq!(res.matches[0].id, 6);
    assert_eq!(res.matches[0].verdict, Verdict::Duplicate);

    let res = check(&index, &orig.title, &encode_vni(&body));
    assert_eq!(res.detected_encoding, DetectedEncoding::Vni);
    assert_eq!(res.matches[0].id, 6);

    let mut rng = Rng::new(9);
    let (title, text) = make_copy(CopyKind::Edit30, orig, &mut rng);
    let res = check(&index, &title, &text);
    let top = &res.matches[0];
    assert_eq!(top.id, 6);
    assert!(matches!(
        top.verdict,
        Verdict::Duplicate | Verdict::NearDuplicate
    ));
    // Passages are char ranges into both texts.
    assert!(!top.passages.is_empty());
    let (_, stored) = index.stored_text(6).unwrap().unwrap();
    assert_eq!(stored, body);
    let qchars: Vec<char> = text.chars().collect();
    let cchars: Vec<char> = stored.chars().collect();
    for p in &top.passages {
        assert!(p.query_range.end <= qchars.len());
        assert!(p.candidate_range.end <= cchars.len());
        assert!(p.query_range.start < p.query_range.end);
    }
}

#[test]
fn hard_negatives_are_not_duplicates() {
    let (index, originals, negatives) = fixture();
    for (i, n) in negatives.iter().enumerate() {
        let res = index
            .check_similar(&SimilarityQuery {
                title: n.text.title.clone(),
                text: n.text.body(),
                exclude_id: Some(1001 + i as u64),
                limit: 10,
                ..Default::default()
            })
            .unwrap();
        let of = originals.iter().position(|o| o.key == n.of).unwrap() as u64 + 1;
        for m in &res.matches {
            assert!(
                !(m.id == of && m.verdict >= Verdict::NearDuplicate),
                "hard negative {i} flagged against {of}: {:?}",
                m.verdict
            );
        }
    }
}

#[test]
fn scope_filters_and_exclusion_work() {
    let (index, originals, _) = fixture();
    let orig = &originals[0].text; // id 1, program 1, path /1/2/20/
    let base = SimilarityQuery {
        title: orig.title.clone(),
        text: orig.body(),
        limit: 5,
        ..Default::default()
    };
    let ids = |q: &SimilarityQuery| -> Vec<u64> {
        index
            .check_similar(q)
            .unwrap()
            .matches
            .iter()
            .map(|m| m.id)
            .collect()
    };
    assert_eq!(ids(&base).first(), Some(&1));
    let other_program = SimilarityQuery {
        program_id: Some(2),
        ..base.clone()
    };
    assert!(!ids(&other_program).contains(&1));
    let same_program = SimilarityQuery {
        program_id: Some(1),
        ..base.clone()
    };
    assert_eq!(ids(&same_program).first(), Some(&1));
    let subtree = SimilarityQuery {
        union_path_prefix: Some("/1/2".into()),
        ..base.clone()
    };
    assert_eq!(ids(&subtree).first(), Some(&1));
    let other_subtree = SimilarityQuery {
        union_path_prefix: Some("/1/3/".into()),
        ..base.clone()
    };
    assert!(!ids(&other_subtree).contains(&1));
    let excluded = SimilarityQuery {
        exclude_id: Some(1),
        ..base
    };
    assert!(!ids(&excluded).contains(&1));
}

#[test]
fn delete_and_upsert_replace() {
    let (index, originals, _) = fixture();
    let orig = &originals[2].text;
    let before = index.num_docs();
    index.delete(3).unwrap();
    index.commit().unwrap();
    assert_eq!(index.num_docs(), before - 1);
    let res = check(&index, &orig.title, &orig.body());
    assert!(res.matches.iter().all(|m| m.id != 3));
    assert!(index.stored_text(3).unwrap().is_none());

    index.upsert(&doc(3, 1, "/1/", orig)).unwrap();
    index.upsert(&doc(3, 1, "/1/", orig)).unwrap();
    index.commit().unwrap();
    assert_eq!(index.num_docs(), before);
    assert_eq!(check(&index, &orig.title, &orig.body()).matches[0].id, 3);
}

#[test]
fn search_finds_unaccented_query_with_snippet() {
    let (index, _, _) = fixture();
    let res = index
        .search(
            "phieu hen tra ket qua co ma QR",
            &SearchFilters::default(),
            10,
            0,
        )
        .unwrap();
    assert!(res.total >= 1);
    let hit = res.hits.iter().find(|h| h.id == 1).unwrap();
    assert!(hit.title_html.contains("<mark>"), "{}", hit.title_html);
    assert!(hit.snippet_html.contains("<mark>"), "{}", hit.snippet_html);

    let res = index
        .search("sang kien cai tien", &SearchFilters::default(), 5, 0)
        .unwrap();
    assert!(res.total > 0);

    // Filters: the QR initiative (id 1) is in program 1, status submitted.
    let approved = SearchFilters {
        status: Some("approved".into()),
        ..Default::default()
    };
    let res = index.search("phieu hen ma qr", &approved, 10, 0).unwrap();
    assert!(res.hits.iter().all(|h| h.id != 1 && h.status == "approved"));
    let program2 = SearchFilters {
        program_id: Some(2),
        ..Default::default()
    };
    let res = index.search("phieu hen ma qr", &program2, 10, 0).unwrap();
    assert!(res.hits.iter().all(|h| h.program_id == 2));
    let subtree = SearchFilters {
        union_path_prefix: Some("/1/2/".into()),
        ..Default::default()
    };
    let res = index.search("phieu hen ma qr", &subtree, 10, 0).unwrap();
    assert!(res.hits.iter().any(|h| h.id == 1));
    assert!(res.hits.iter().all(|h| h.union_path.starts_with("/1/2/")));
}

#[test]
fn directory_index_persists() {
    let dir = std::env::temp_dir().join(format!("search-index-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let t = Generator::new(1).next_initiative();
    {
        let index = SearchIndex::open_in_dir(&dir).unwrap();
        index.upsert(&doc(42, 1, "/1/", &t)).unwrap();
        index.commit().unwrap();
    }
    let index = SearchIndex::open_in_dir(&dir).unwrap();
    assert_eq!(index.num_docs(), 1);
    assert!(!index.needs_reindex().unwrap());
    let res = check(&index, &t.title, &t.body());
    assert_eq!(res.matches[0].id, 42);
    drop(index);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn shared_letterhead_and_stock_phrases_do_not_make_a_match() {
    let index = SearchIndex::open_in_ram().unwrap();
    let originals = entries(INITIATIVES);
    let negatives = entries(HARD_NEGATIVES);
    let wrap = |t: &InitiativeText| {
        let mut sections = t.sections.clone();
        sections[0] = format!(
            "{}{} Giải pháp giúp nâng cao năng suất lao động, nâng cao hiệu quả công việc.",
            search_index::synth::LETTERHEAD,
            sections[0]
        );
        sections[3] = format!("{}{}", sections[3], search_index::synth::CLOSING);
        InitiativeText {
            sections,
            ..t.clone()
        }
    };
    let neg = &negatives[0];
    let orig = originals.iter().find(|o| o.key == neg.of).unwrap();
    index.upsert(&doc(1, 1, "/1/", &wrap(&orig.text))).unwrap();
    index.commit().unwrap();
    let n = wrap(&neg.text);
    let res = check(&index, &n.title, &n.body());
    assert!(
        res.matches
            .iter()
            .all(|m| m.verdict < Verdict::NearDuplicate),
        "{:?}",
        res.matches
            .iter()
            .map(|m| (m.id, m.score))
            .collect::<Vec<_>>()
    );
}

#[test]
fn date_range_limits_the_check_to_earlier_initiatives() {
    let (index, originals, _) = fixture();
    let orig = &originals[4].text; // id 5, submitted_at 1_700_000_005
    let q = |until: i64| SimilarityQuery {
        title: orig.title.clone(),
        text: orig.body(),
        submitted_until: Some(until),
        limit: 5,
        ..Default::default()
    };
    let ids = |q: &SimilarityQuery| -> Vec<u64> {
        index
            .check_similar(q)
            .unwrap()
            .matches
            .iter()
            .map(|m| m.id)
            .collect()
    };
    assert_eq!(ids(&q(1_700_000_006)).first(), Some(&5));
    assert!(!ids(&q(1_700_000_005)).contains(&5));
}

#[test]
fn a_title_alone_is_at_most_similar() {
    let (index, originals, _) = fixture();
    let orig = &originals[7].text;
    let res = check(&index, &orig.title, "");
    let top = &res.matches[0];
    assert_eq!(top.id, 8);
    assert_eq!(top.verdict, Verdict::Similar);
}

#[test]
fn related_lists_the_copy_of_an_indexed_initiative() {
    let (index, originals, _) = fixture();
    let mut rng = Rng::new(4);
    let (title, text) = make_copy(CopyKind::Edit10, &originals[10].text, &mut rng);
    let copy = IndexedInitiative {
        id: 500,
        program_id: 1,
        field_id: None,
        union_path: "/1/".into(),
        status: "approved".into(),
        submitted_at: 1_800_000_000,
        title,
        body_sections: vec![text],
    };
    index.upsert(&copy).unwrap();
    index.commit().unwrap();
    let related = index.related(11, &SimilarityQuery::default()).unwrap();
    assert_eq!(related[0].id, 500);
    assert!(related.iter().all(|m| m.id != 11));
    let approved_only = SimilarityQuery {
        status: Some("submitted".into()),
        ..Default::default()
    };
    assert!(
        index
            .related(11, &approved_only)
            .unwrap()
            .iter()
            .all(|m| m.id != 500)
    );
    assert!(
        index
            .related(999_999, &SimilarityQuery::default())
            .unwrap()
            .is_empty()
    );
}

#[test]
fn an_index_with_another_schema_is_reported_for_rebuilding() {
    let dir = tempfile::tempdir().unwrap();
    {
        let mut b = tantivy::schema::Schema::builder();
        b.add_u64_field("id", tantivy::schema::INDEXED);
        let index = tantivy::Index::create_in_dir(dir.path(), b.build()).unwrap();
        drop(index);
    }
    match SearchIndex::open_in_dir(dir.path()) {
        Err(search_index::SearchIndexError::SchemaChanged(_)) => {}
        Err(e) => panic!("another error: {e}"),
        Ok(_) => panic!("an index with another schema opened"),
    }
}

#[test]
fn search_filters_by_field() {
    let index = SearchIndex::open_in_ram().unwrap();
    let mut g = Generator::new(9);
    for (id, field) in [(1, Some(10)), (2, Some(20)), (3, None)] {
        let mut d = doc(id, 1, "/1/", &g.next_initiative());
        d.title = "Tiết kiệm điện chiếu sáng".into();
        d.status = "approved".into();
        d.field_id = field;
        index.upsert(&d).unwrap();
    }
    index.commit().unwrap();
    let find = |field: Option<u64>| {
        let filters = SearchFilters {
            field_id: field,
            ..SearchFilters::default()
        };
        let mut ids: Vec<u64> = index
            .search("tiet kiem dien", &filters, 10, 0)
            .unwrap()
            .hits
            .iter()
            .map(|h| h.id)
            .collect();
        ids.sort_unstable();
        ids
    };
    assert_eq!(find(None), vec![1, 2, 3]);
    assert_eq!(find(Some(20)), vec![2]);
    assert!(find(Some(30)).is_empty());
}

#[test]
fn search_ranks_title_matches_first_and_filters_keep_the_order() {
    let index = SearchIndex::open_in_ram().unwrap();
    let mut g = Generator::new(21);
    for id in 1..=400u64 {
        let mut d = doc(
            id,
            1 + id % 3,
            &format!("/1/{}/", id % 5),
            &g.next_initiative(),
        );
        d.field_id = Some(id % 4);
        if id % 50 == 0 {
            d.title = format!("Tiết kiệm điện năng ở phân xưởng {id}");
        }
        index.upsert(&d).unwrap();
    }
    index.commit().unwrap();
    let ids = |q: &str, filters: &SearchFilters, limit: usize, offset: usize| -> Vec<u64> {
        index
            .search(q, filters, limit, offset)
            .unwrap()
            .hits
            .iter()
            .map(|h| h.id)
            .collect()
    };
    let all = SearchFilters::default();
    let full = index.search("tiet kiem dien", &all, 1000, 0).unwrap();
    assert!(full.total > 20, "{}", full.total);
    assert_eq!(full.hits.len(), full.total);
    // Initiatives with the words in their title come first.
    let titled: Vec<u64> = (1..=8).map(|i| i * 50).collect();
    let mut head = ids("tiet kiem dien", &all, 8, 0);
    head.sort_unstable();
    assert_eq!(head, titled);
    // Pages of 7 put together are the ranking of everything, and the count is the same.
    let mut paged = Vec::new();
    for page in 0..full.total.div_ceil(7) {
        let r = index.search("tiet kiem dien", &all, 7, page * 7).unwrap();
        assert_eq!(r.total, full.total);
        paged.extend(r.hits.iter().map(|h| h.id));
    }
    let ranked: Vec<u64> = full.hits.iter().map(|h| h.id).collect();
    assert_eq!(paged, ranked);
    // A filter keeps the matches it allows in the same order.
    for (filters, keep) in [
        (
            SearchFilters {
                status: Some("approved".into()),
                ..SearchFilters::default()
            },
            Box::new(|id: u64| id.is_multiple_of(2)) as Box<dyn Fn(u64) -> bool>,
        ),
        (
            SearchFilters {
                program_id: Some(2),
                field_id: Some(3),
                ..SearchFilters::default()
            },
            Box::new(|id: u64| id % 3 == 1 && id % 4 == 3),
        ),
        (
            SearchFilters {
                union_path_prefix: Some("/1/3".into()),
                status: Some("submitted".into()),
                ..SearchFilters::default()
            },
            Box::new(|id: u64| id % 5 == 3 && id % 2 == 1),
        ),
    ] {
        let expected: Vec<u64> = ranked.iter().copied().filter(|id| keep(*id)).collect();
        assert!(!expected.is_empty());
        let got = index.search("tiet kiem dien", &filters, 1000, 0).unwrap();
        assert_eq!(got.total, expected.len());
        let got: Vec<u64> = got.hits.iter().map(|h| h.id).collect();
        assert_eq!(got, expected, "{filters:?}");
        // The first pages are ranked without scoring every match (block-max WAND): the same.
        for k in 1..=4 {
            assert_eq!(
                ids("tiet kiem dien", &filters, k, 0),
                expected[..k.min(expected.len())],
                "{filters:?}, first {k}"
            );
        }
    }
    // Every word must match; a query of four words or more that finds fewer than 10 that way
    // lets a quarter of its words miss.
    assert_eq!(full.required_words, 3);
    let four = index.search("tiet kiem dien nang", &all, 1000, 0).unwrap();
    assert_eq!(four.required_words, 4);
    assert!((8..=full.total).contains(&four.total), "{}", four.total);
    let loose = index
        .search("tiet kiem dien khongcotu", &all, 1000, 0)
        .unwrap();
    assert_eq!(loose.required_words, 3);
    assert_eq!(loose.total, full.total);
    let rare = index
        .search("tiet kiem dien nang xuong", &all, 1000, 0)
        .unwrap();
    assert_eq!(rare.required_words, 5);
}
