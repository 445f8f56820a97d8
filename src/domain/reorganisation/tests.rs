use super::*;
use UnionKind::*;

/// Tổng LĐLĐ (1) → LĐLĐ Hà Tĩnh (10), LĐLĐ Quảng Bình (20), LĐLĐ Quảng Trị (30);
/// Hà Tĩnh → LĐLĐ huyện Kỳ Anh (11) → CĐCS 111, 112 (with group 1121), 113;
/// Quảng Bình → CĐCS 21.
fn tree() -> Tree {
    let n = |id: i64, code: &str, parent: Option<i64>, kind| Node {
        id,
        code: code.to_owned(),
        name: format!("Đơn vị {code}"),
        parent,
        kind,
        active: true,
        last_change: None,
    };
    Tree::new([
        n(1, "VN", None, National),
        n(10, "HT", Some(1), Province),
        n(20, "QB", Some(1), Province),
        n(30, "QT", Some(1), Province),
        n(11, "KA", Some(10), DirectUpper),
        n(111, "G111", Some(11), Grassroots),
        n(112, "G112", Some(11), Grassroots),
        n(1121, "T1121", Some(112), Group),
        n(113, "G113", Some(11), Grassroots),
        n(21, "G21", Some(20), Grassroots),
    ])
}

fn row(line: usize, action: OpKind, code: &str) -> PlanRow {
    PlanRow {
        line,
        action,
        code: code.to_owned(),
        new_parent_code: None,
        successor_code: None,
        new_name: None,
    }
}

fn to(mut r: PlanRow, parent: &str) -> PlanRow {
    r.new_parent_code = Some(parent.to_owned());
    r
}

fn succ(mut r: PlanRow, code: &str, name: Option<&str>) -> PlanRow {
    r.successor_code = Some(code.to_owned());
    r.new_name = name.map(str::to_owned);
    r
}

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn reasons(e: &[RowError]) -> Vec<(usize, String)> {
    e.iter().map(|e| (e.line, e.reason.clone())).collect()
}

#[test]
fn a_district_dissolved_with_some_grassroots_moved_up_and_the_others_ended() {
    let plan = [
        row(1, OpKind::Dissolve, "KA"),
        to(row(2, OpKind::Transfer, "G111"), "HT"),
        to(row(3, OpKind::Transfer, "G112"), "HT"),
        row(4, OpKind::End, "G113"),
    ];
    let r = resolve(&tree(), &plan, day("2025-07-01")).unwrap();
    assert_eq!(
        r.moves,
        vec![(111, UnionRef::Existing(10)), (112, UnionRef::Existing(10))]
    );
    let ended: Vec<(i64, OpKind)> = r.ended.iter().map(|e| (e.id, e.how)).collect();
    assert_eq!(ended, vec![(11, OpKind::Dissolve), (113, OpKind::End)]);
    // The district's dissolution and the transfers are the province's to decide; ending a
    // grassroots union, the district's (or anyone's above it).
    let authority: Vec<(usize, i64)> = r.authority.into_iter().collect();
    assert_eq!(authority, vec![(1, 10), (2, 10), (3, 10), (4, 11)]);
}

#[test]
fn a_dissolved_union_cannot_leave_a_child_behind() {
    let plan = [
        row(1, OpKind::Dissolve, "KA"),
        to(row(2, OpKind::Transfer, "G111"), "HT"),
    ];
    let e = resolve(&tree(), &plan, day("2025-07-01")).unwrap_err();
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].line, 1);
    assert!(e[0].reason.contains("G112, G113"), "{}", e[0].reason);
}

#[test]
fn ending_a_grassroots_union_ends_its_groups_and_may_send_its_members_on() {
    let plan = [succ(row(1, OpKind::End, "G112"), "G111", None)];
    let r = resolve(&tree(), &plan, day("2025-07-01")).unwrap();
    let ended: Vec<i64> = r.ended.iter().map(|e| e.id).collect();
    assert_eq!(ended, vec![112, 1121]);
    assert_eq!(r.members, vec![(112, UnionRef::Existing(111))]);
    let e = resolve(&tree(), &[row(1, OpKind::End, "KA")], day("2025-07-01")).unwrap_err();
    assert!(e[0].reason.contains("giải thể"), "{:?}", reasons(&e));
}

#[test]
fn two_provinces_merge_into_a_new_one_which_takes_their_children() {
    let plan = [
        succ(
            row(1, OpKind::Merge, "HT"),
            "HTQB",
            Some("LĐLĐ tỉnh Hà Tĩnh mới"),
        ),
        succ(row(2, OpKind::Merge, "QB"), "HTQB", None),
    ];
    let r = resolve(&tree(), &plan, day("2025-07-01")).unwrap();
    assert_eq!(r.created.len(), 1);
    assert_eq!(r.created[0].kind, Province);
    assert_eq!(r.created[0].parent, UnionRef::Existing(1));
    let new = UnionRef::New(0);
    assert_eq!(
        r.moves,
        vec![(10, new), (20, new), (11, new), (21, new)],
        "the merged unions are kept under their successor, their children move to it"
    );
    assert_eq!(r.members, vec![(10, new), (20, new)]);
    // Merging provinces is the national level's to decide.
    assert_eq!(r.authority.get(&1), Some(&1));
    assert_eq!(r.authority.get(&2), Some(&1));
}

#[test]
fn a_merged_unions_child_may_be_sent_elsewhere_by_its_own_row() {
    let plan = [
        succ(row(1, OpKind::Merge, "HT"), "QB", None),
        to(row(2, OpKind::Transfer, "KA"), "QT"),
    ];
    let r = resolve(&tree(), &plan, day("2025-07-01")).unwrap();
    assert_eq!(
        r.moves,
        vec![(10, UnionRef::Existing(20)), (11, UnionRef::Existing(30))]
    );
}

#[test]
fn a_split_names_its_successors_and_its_children_must_be_distributed() {
    let split = |line, code: &str, name| succ(row(line, OpKind::Split, "KA"), code, Some(name));
    let plan = [
        split(1, "KA1", "Công đoàn Khu kinh tế Vũng Áng"),
        split(2, "KA2", "Công đoàn Viên chức thị xã Kỳ Anh"),
        to(row(3, OpKind::Transfer, "G111"), "KA1"),
        to(row(4, OpKind::Transfer, "G112"), "KA2"),
    ];
    let e = resolve(&tree(), &plan, day("2025-07-01")).unwrap_err();
    assert!(e[0].reason.contains("G113"), "{:?}", reasons(&e));
    let mut plan = plan.to_vec();
    plan.push(to(row(5, OpKind::Transfer, "G113"), "KA2"));
    let r = resolve(&tree(), &plan, day("2025-07-01")).unwrap();
    assert_eq!(r.created.len(), 2);
    assert_eq!(r.ended.len(), 1);
    assert_eq!(
        r.ended[0].successors,
        vec![UnionRef::New(0), UnionRef::New(1)]
    );
    assert_eq!(
        r.members,
        vec![(11, UnionRef::New(0))],
        "the first successor takes the members"
    );
}

#[test]
fn every_bad_row_is_reported_with_its_reason() {
    let plan = [
        to(row(1, OpKind::Transfer, "HT"), "G111"), // wrong kind (and a cycle)
        to(row(2, OpKind::Transfer, "G21"), "KA"),  // fine
        to(row(3, OpKind::Transfer, "G21"), "HT"),  // G21 twice
        to(row(4, OpKind::Transfer, "NOPE"), "HT"), // unknown code
        to(row(5, OpKind::Transfer, "T1121"), "HT"), // a group under a province
        row(6, OpKind::Merge, "G111"),              // no successor
        succ(row(7, OpKind::Rename, "QT"), "QB", None), // code taken
    ];
    let e = resolve(&tree(), &plan, day("2025-07-01")).unwrap_err();
    let lines: Vec<usize> = e.iter().map(|e| e.line).collect();
    assert_eq!(lines, vec![1, 3, 4, 5, 6, 7], "{:?}", reasons(&e));
    assert!(e[0].reason.contains("không thể trực thuộc"));
    assert!(e[1].reason.contains("dòng 2"));
    assert!(e[2].reason.contains("Không có đơn vị mã NOPE"));
    assert!(e[4].reason.contains("Mã đơn vị kế thừa"));
    assert!(e[5].reason.contains("đã được dùng"));
}

#[test]
fn a_cycle_is_refused() {
    let mut t = tree();
    // A federation may not go under a district even without kinds: made to test the loop
    // alone, a district moved under its own grassroots union's successor.
    let plan = [
        succ(row(1, OpKind::Merge, "G111"), "G112", None),
        to(row(2, OpKind::Transfer, "KA"), "HT"),
    ];
    assert!(resolve(&t, &plan, day("2025-07-01")).is_err());
    t = Tree::new([
        Node {
            id: 1,
            code: "A".into(),
            name: "A".into(),
            parent: None,
            kind: Province,
            active: true,
            last_change: None,
        },
        Node {
            id: 2,
            code: "B".into(),
            name: "B".into(),
            parent: Some(1),
            kind: Grassroots,
            active: true,
            last_change: None,
        },
    ]);
    let e = resolve(
        &t,
        &[succ(row(1, OpKind::Merge, "A"), "B", None)],
        day("2025-07-01"),
    )
    .unwrap_err();
    assert!(
        e.iter().any(|e| e.reason.contains("cùng loại")),
        "{:?}",
        reasons(&e)
    );
}

#[test]
fn a_date_before_an_earlier_reorganisation_of_the_same_union_is_refused() {
    let mut nodes: Vec<Node> = Vec::new();
    for id in [1, 10, 20, 30, 11, 111, 112, 1121, 113, 21] {
        let mut n = tree().get(id).unwrap().clone();
        if id == 111 {
            n.last_change = Some(day("2025-07-01"));
        }
        nodes.push(n);
    }
    let t = Tree::new(nodes);
    let plan = [to(row(1, OpKind::Transfer, "G111"), "HT")];
    let e = resolve(&t, &plan, day("2025-06-30")).unwrap_err();
    assert!(
        e[0].reason.contains("trước lần sắp xếp ngày 01/07/2025"),
        "{:?}",
        reasons(&e)
    );
    assert!(resolve(&t, &plan, day("2025-07-01")).is_ok());
}

#[test]
fn operations_parse_in_both_languages() {
    for op in OpKind::ALL {
        assert_eq!(OpKind::parse_folded(op.as_str()), Some(op));
    }
    assert_eq!(OpKind::parse_folded("giai the"), Some(OpKind::Dissolve));
    assert_eq!(OpKind::parse_folded("sap nhap"), Some(OpKind::Merge));
    assert_eq!(OpKind::parse_folded("xoa"), None);
}
