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

/// The tree after a plan: `tree()` with these unions changed (parent, active, code).
fn after(changes: &[(i64, Option<i64>, bool)], added: &[Node]) -> Tree {
    let mut nodes: Vec<Node> = tree().nodes.into_values().collect();
    for n in &mut nodes {
        if let Some((_, p, a)) = changes.iter().find(|(id, _, _)| *id == n.id) {
            n.parent = *p;
            n.active = *a;
        }
    }
    nodes.extend(added.iter().cloned());
    Tree::new(nodes)
}

fn before(t: &Tree, ids: &[i64]) -> Vec<Before> {
    ids.iter()
        .map(|id| {
            let n = t.get(*id).unwrap();
            Before {
                id: n.id,
                parent: n.parent,
                code: n.code.clone(),
                name: n.name.clone(),
                active: n.active,
            }
        })
        .collect()
}

fn shape(rows: &[PlanRow]) -> Vec<(usize, OpKind, &str, Option<&str>)> {
    rows.iter()
        .map(|r| {
            (
                r.line,
                r.action,
                r.code.as_str(),
                r.new_parent_code.as_deref(),
            )
        })
        .collect()
}

#[test]
fn a_dissolved_district_is_restored_and_its_grassroots_go_back_under_it() {
    // After: Kỳ Anh dissolved, 111 and 112 directly under Hà Tĩnh, 113 ended.
    let was = before(&tree(), &[11, 111, 112, 113]);
    let now = after(
        &[
            (11, Some(10), false),
            (111, Some(10), true),
            (112, Some(10), true),
            (113, Some(11), false),
        ],
        &[],
    );
    let rows = inverse(&now, &was, &[]);
    assert_eq!(
        shape(&rows),
        vec![
            (1, OpKind::Restore, "KA", None),
            (2, OpKind::Restore, "G113", None),
            (3, OpKind::Transfer, "G111", Some("KA")),
            (4, OpKind::Transfer, "G112", Some("KA")),
        ]
    );
    // The restored district is a place for the transfers of the same plan.
    let r = resolve(&now, &rows, day("2025-08-01")).unwrap();
    assert_eq!(r.restored, vec![11, 113]);
    assert_eq!(
        r.moves,
        vec![(111, UnionRef::Existing(11)), (112, UnionRef::Existing(11))]
    );
    assert!(r.ended.is_empty());
    assert_eq!(r.authority.get(&3), Some(&10));
}

#[test]
fn a_merger_into_a_new_union_is_undone_and_the_new_union_dissolved() {
    // After: Hà Tĩnh and Quảng Bình merged into a new province 40; their children under it.
    let mut new = tree().get(10).unwrap().clone();
    new.id = 40;
    new.code = "HTQB".to_owned();
    let was = before(&tree(), &[10, 20, 11, 21]);
    let now = after(
        &[
            (10, Some(40), false),
            (20, Some(40), false),
            (11, Some(40), true),
            (21, Some(40), true),
        ],
        &[new],
    );
    let rows = inverse(&now, &was, &[40]);
    assert_eq!(
        shape(&rows),
        vec![
            (1, OpKind::Restore, "HT", Some("VN")),
            (2, OpKind::Restore, "QB", Some("VN")),
            (3, OpKind::Transfer, "KA", Some("HT")),
            (4, OpKind::Transfer, "G21", Some("QB")),
            (5, OpKind::Dissolve, "HTQB", None),
        ]
    );
    let r = resolve(&now, &rows, day("2025-08-01")).unwrap();
    assert_eq!(r.restored, vec![10, 20]);
    let ended: Vec<(i64, OpKind)> = r.ended.iter().map(|e| (e.id, e.how)).collect();
    assert_eq!(ended, vec![(40, OpKind::Dissolve)]);
    assert!(r.moves.contains(&(10, UnionRef::Existing(1))));
    assert!(r.moves.contains(&(11, UnionRef::Existing(10))));
    // Provinces are the national level's to restore.
    assert_eq!(r.authority.get(&1), Some(&1));
}

#[test]
fn a_rename_is_named_back_and_a_created_group_ends_before_its_union() {
    let mut renamed = tree().get(21).unwrap().clone();
    renamed.code = "G21X".to_owned();
    renamed.name = "Tên mới".to_owned();
    let was = before(&tree(), &[21]);
    let mut nodes: Vec<Node> = tree().nodes.into_values().filter(|n| n.id != 21).collect();
    nodes.push(renamed);
    let g = |id: i64, code: &str, parent: i64, kind| Node {
        id,
        code: code.to_owned(),
        name: code.to_owned(),
        parent: Some(parent),
        kind,
        active: true,
        last_change: None,
    };
    nodes.push(g(50, "G50", 20, Grassroots));
    nodes.push(g(51, "T51", 50, Group));
    let now = Tree::new(nodes);
    let rows = inverse(&now, &was, &[50, 51]);
    assert_eq!(
        shape(&rows),
        vec![
            (1, OpKind::Rename, "G21X", None),
            (2, OpKind::End, "T51", None),
            (3, OpKind::End, "G50", None),
        ]
    );
    assert_eq!(rows[0].successor_code.as_deref(), Some("G21"));
    assert_eq!(rows[0].new_name.as_deref(), Some("Đơn vị G21"));
    let r = resolve(&now, &rows, day("2025-08-01")).unwrap();
    let ended: Vec<i64> = r.ended.iter().map(|e| e.id).collect();
    assert_eq!(ended, vec![51, 50]);
}

#[test]
fn only_an_ended_union_is_restored_and_restoring_is_never_typed() {
    let plan = [row(1, OpKind::Restore, "G21")];
    let e = resolve(&tree(), &plan, day("2025-08-01")).unwrap_err();
    assert!(e[0].reason.contains("đang hoạt động"), "{:?}", reasons(&e));
    assert_eq!(OpKind::parse_folded("khoi phuc"), None);
    assert_eq!(OpKind::parse_folded("restore"), None);
    assert!(!OpKind::ALL.contains(&OpKind::Restore));
}
