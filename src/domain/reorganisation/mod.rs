//! Reorganisations of the union tree (sắp xếp tổ chức): a decision's operations, checked
//! against the tree as it stands before anything is written, and what they come to — which
//! unions move where, which end and who succeeds them, which are created, renamed, and where
//! members go. Pure: the service loads the tree, asks [`resolve`], and writes the result.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::union::UnionKind;

/// An operation of a reorganisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OpKind {
    /// Chuyển: a union, with its subtree, to a new parent of a kind that may hold it.
    Transfer,
    /// Giải thể: the union ends; its children are transferred in the same reorganisation.
    Dissolve,
    /// Kết thúc hoạt động: a grassroots union (or a group) stops, with its groups; its members
    /// keep their accounts, or move to the union named as successor.
    End,
    /// Hợp nhất / sáp nhập: several unions into one, existing or new (one row per merged
    /// union, each naming the successor).
    Merge,
    /// Chia tách: one union into several (one row per successor); the first successor carries
    /// its figures and its members.
    Split,
    /// Đổi tên: a new name, or a new code (given as the successor code), or both.
    Rename,
    /// Khôi phục: a union ended by the reorganisation being undone operates again, under the
    /// parent given (or where it is). Only in a reverting plan ([`inverse`]), never typed.
    Restore,
}

impl OpKind {
    /// Every operation a plan may be typed with, in the order of the documentation (a
    /// reverting plan's [`OpKind::Restore`] is made by the platform only).
    pub const ALL: [Self; 6] = [
        Self::Transfer,
        Self::Dissolve,
        Self::End,
        Self::Merge,
        Self::Split,
        Self::Rename,
    ];

    /// The name in the API and in English plan files.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Transfer => "transfer",
            Self::Dissolve => "dissolve",
            Self::End => "end",
            Self::Merge => "merge",
            Self::Split => "split",
            Self::Rename => "rename",
            Self::Restore => "restore",
        }
    }

    /// The Vietnamese name, as a decision writes it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Transfer => "chuyển",
            Self::Dissolve => "giải thể",
            Self::End => "kết thúc hoạt động",
            Self::Merge => "hợp nhất",
            Self::Split => "chia tách",
            Self::Rename => "đổi tên",
            Self::Restore => "khôi phục",
        }
    }

    /// From a plan file's cell or the API, in English or Vietnamese, with or without marks
    /// (the caller folds case and diacritics first: `chuyen`, `giai the`, `sap nhap`, …).
    pub fn parse_folded(folded: &str) -> Option<Self> {
        let key: String = folded
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .map(|c| c.to_ascii_lowercase())
            .collect();
        Some(match key.as_str() {
            "transfer" | "chuyen" | "dieuchuyen" => Self::Transfer,
            "dissolve" | "giaithe" => Self::Dissolve,
            "end" | "ketthuc" | "ketthuchoatdong" | "chamduthoatdong" => Self::End,
            "merge" | "hopnhat" | "sapnhap" => Self::Merge,
            "split" | "chiatach" | "chia" | "tach" => Self::Split,
            "rename" | "doiten" => Self::Rename,
            _ => return None,
        })
    }
}

/// One operation as given: a plan file's row, or one of the API's operations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanRow {
    /// The row's line in the file (1 for the header's next line), or the operation's number.
    pub line: usize,
    pub action: OpKind,
    /// The union the operation is about.
    pub code: String,
    /// Transfer: where to. Merge into a new union, split: where the new union goes (default:
    /// where the union it comes from is).
    pub new_parent_code: Option<String>,
    /// Merge: the union merged into. Split: one successor. End: where the members go.
    /// Rename: the new code.
    pub successor_code: Option<String>,
    /// Rename: the new name. Merge into a new union, split: the new union's name.
    pub new_name: Option<String>,
}

/// A union as the plan is checked against it.
#[derive(Debug, Clone)]
pub struct Node {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub parent: Option<i64>,
    pub kind: UnionKind,
    pub active: bool,
    /// The effective date of the last reorganisation that changed it.
    pub last_change: Option<NaiveDate>,
}

/// The tree as it stands.
#[derive(Debug, Default)]
pub struct Tree {
    nodes: HashMap<i64, Node>,
    by_code: HashMap<String, i64>,
    children: HashMap<i64, Vec<i64>>,
}

impl Tree {
    /// The tree of these unions.
    pub fn new(nodes: impl IntoIterator<Item = Node>) -> Self {
        let mut t = Self::default();
        for n in nodes {
            t.by_code.insert(n.code.clone(), n.id);
            if let Some(p) = n.parent {
                t.children.entry(p).or_default().push(n.id);
            }
            t.nodes.insert(n.id, n);
        }
        for c in t.children.values_mut() {
            c.sort_unstable();
        }
        t
    }

    /// A union by id.
    pub fn get(&self, id: i64) -> Option<&Node> {
        self.nodes.get(&id)
    }

    /// A union by code.
    pub fn by_code(&self, code: &str) -> Option<&Node> {
        self.by_code.get(code).and_then(|id| self.nodes.get(id))
    }

    /// The direct children (ended ones included).
    pub fn children(&self, id: i64) -> &[i64] {
        self.children.get(&id).map_or(&[], Vec::as_slice)
    }

    /// The union and its ancestors, the union first.
    pub fn chain(&self, id: i64) -> Vec<i64> {
        let mut out = vec![id];
        let mut at = id;
        while let Some(p) = self.nodes.get(&at).and_then(|n| n.parent) {
            if out.contains(&p) {
                break;
            }
            out.push(p);
            at = p;
        }
        out
    }

    /// The union and everything below it.
    pub fn subtree(&self, id: i64) -> Vec<i64> {
        let mut out = vec![id];
        let mut i = 0;
        while let Some(&at) = out.get(i) {
            out.extend_from_slice(self.children(at));
            i += 1;
        }
        out
    }

    /// The lowest union holding all of `ids` (or being one of them).
    pub fn common_ancestor(&self, ids: &[i64]) -> Option<i64> {
        let mut it = ids.iter();
        let first = self.chain(*it.next()?);
        let mut common: Vec<i64> = first;
        for id in it {
            let chain: BTreeSet<i64> = self.chain(*id).into_iter().collect();
            common.retain(|u| chain.contains(u));
        }
        common.first().copied()
    }
}

/// A union the plan refers to: one that exists, or one it creates (by its index in
/// [`Resolved::created`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnionRef {
    Existing(i64),
    New(usize),
}

/// A union the plan creates (the successor of a merger or a split).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Created {
    pub code: String,
    pub name: String,
    pub kind: UnionKind,
    pub parent: UnionRef,
    /// The row that created it.
    pub line: usize,
}

/// A union the plan ends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ended {
    pub id: i64,
    pub how: OpKind,
    /// Its successors (a merger's one, a split's several), the first carrying its figures.
    pub successors: Vec<UnionRef>,
    pub line: usize,
}

/// What a plan comes to, once every row is checked.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resolved {
    pub created: Vec<Created>,
    /// Unions whose parent changes, with the new one: transfers, the children of merged
    /// unions, and every ended union that has a successor (it is kept, ended, under the
    /// successor that carries its figures, so that they are counted there).
    pub moves: Vec<(i64, UnionRef)>,
    pub ended: Vec<Ended>,
    /// (union, new name, new code).
    pub renamed: Vec<(i64, Option<String>, Option<String>)>,
    /// Members of the first union move to the second.
    pub members: Vec<(i64, UnionRef)>,
    /// Ended unions that operate again (a reverting plan's).
    pub restored: Vec<i64>,
    /// Per row, the union whose officers may decide it (the lowest union above every union
    /// the row changes, old and new parents included).
    pub authority: BTreeMap<usize, i64>,
}

/// A row's problem, in Vietnamese.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowError {
    pub line: usize,
    pub code: String,
    pub reason: String,
}

fn vn(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

/// Checks every row of a plan against `tree`, effective on `effective_on`, and says what it
/// comes to; or every row's problems (all of them, not the first), and nothing is to be
/// written.
pub fn resolve(
    tree: &Tree,
    rows: &[PlanRow],
    effective_on: NaiveDate,
) -> Result<Resolved, Vec<RowError>> {
    let mut cx = Checker {
        tree,
        effective_on,
        errors: Vec::new(),
        out: Resolved::default(),
        touched: BTreeMap::new(),
        new_by_code: BTreeMap::new(),
        restoring: BTreeMap::new(),
        default_moves: Vec::new(),
    };
    if rows.is_empty() {
        cx.errors.push(RowError {
            line: 0,
            code: String::new(),
            reason: "Phương án không có thao tác nào.".to_owned(),
        });
    }
    // Successors first (a merger's or a split's new unions), and the unions restored, so
    // that any row may name them.
    cx.create_successors(rows);
    cx.restoring = rows
        .iter()
        .filter(|r| r.action == OpKind::Restore)
        .filter_map(|r| tree.by_code(r.code.trim()))
        .filter(|n| !n.active)
        .map(|n| (n.code.clone(), (n.id, n.kind)))
        .collect();
    for row in rows {
        cx.row(row);
    }
    cx.finish();
    if cx.errors.is_empty() {
        Ok(cx.out)
    } else {
        cx.errors.sort_by_key(|e| e.line);
        cx.errors.dedup();
        Err(cx.errors)
    }
}

struct Checker<'a> {
    tree: &'a Tree,
    effective_on: NaiveDate,
    errors: Vec<RowError>,
    out: Resolved,
    /// Unions already changed by a row, with the row (a union may be in one operation only;
    /// a merger's and a split's rows share theirs).
    touched: BTreeMap<i64, (usize, OpKind)>,
    new_by_code: BTreeMap<String, usize>,
    /// Ended unions the plan restores, by code: a place for other rows as if active.
    restoring: BTreeMap<String, (i64, UnionKind)>,
    /// The children of merged unions, to follow them unless a row of their own decides.
    default_moves: Vec<(i64, UnionRef)>,
}

impl Checker<'_> {
    fn err(&mut self, row: &PlanRow, reason: impl Into<String>) {
        self.errors.push(RowError {
            line: row.line,
            code: row.code.clone(),
            reason: reason.into(),
        });
    }

    /// The existing union a code names, active, or the row's error.
    fn active(&mut self, row: &PlanRow, code: &str, what: &str) -> Option<Node> {
        match self.tree.by_code(code.trim()) {
            None => {
                self.err(row, format!("Không có đơn vị mã {code} ({what})."));
                None
            }
            Some(n) if !n.active => {
                self.err(
                    row,
                    format!(
                        "Đơn vị {} ({}) đã ngừng hoạt động ({what}).",
                        n.code, n.name
                    ),
                );
                None
            }
            Some(n) => Some(n.clone()),
        }
    }

    /// A union a row names as a place (a parent, a successor): existing and active, or one
    /// this plan creates.
    fn place(&mut self, row: &PlanRow, code: &str, what: &str) -> Option<(UnionRef, UnionKind)> {
        if let Some(&i) = self.new_by_code.get(code.trim()) {
            return self.out.created.get(i).map(|c| (UnionRef::New(i), c.kind));
        }
        if let Some(&(id, kind)) = self.restoring.get(code.trim()) {
            return Some((UnionRef::Existing(id), kind));
        }
        self.active(row, code, what)
            .map(|n| (UnionRef::Existing(n.id), n.kind))
    }

    /// Marks a union changed by `row`; an error when another operation already changed it.
    fn touch(&mut self, row: &PlanRow, node: &Node) -> bool {
        if let Some(&(line, action)) = self.touched.get(&node.id)
            && !(line == row.line || (action == row.action && shared(action)))
        {
            self.err(
                row,
                format!(
                    "Đơn vị {} đã có trong thao tác {} ở dòng {line}: mỗi đơn vị chỉ ở một thao tác.",
                    node.code,
                    action.label()
                ),
            );
            return false;
        }
        self.touched.insert(node.id, (row.line, row.action));
        if let Some(last) = node.last_change
            && self.effective_on < last
        {
            self.err(
                row,
                format!(
                    "Ngày hiệu lực {} trước lần sắp xếp ngày {} của đơn vị {}.",
                    vn(self.effective_on),
                    vn(last),
                    node.code
                ),
            );
        }
        true
    }

    fn create_successors(&mut self, rows: &[PlanRow]) {
        for row in rows {
            if !matches!(row.action, OpKind::Merge | OpKind::Split) {
                continue;
            }
            let Some(code) = row.successor_code.as_deref().map(str::trim) else {
                continue;
            };
            if code.is_empty() || self.tree.by_code(code).is_some() {
                continue;
            }
            if self.new_by_code.contains_key(code) {
                continue;
            }
            let Some(name) = row
                .new_name
                .as_deref()
                .map(str::trim)
                .filter(|n| !n.is_empty())
            else {
                self.err(
                    row,
                    format!("Đơn vị kế thừa {code} chưa có: cần tên của đơn vị mới (cột Tên mới)."),
                );
                continue;
            };
            let Some(source) = self.tree.by_code(row.code.trim()) else {
                continue;
            };
            // Placed where the parent column says, or beside the union it comes from.
            let parent = match row.new_parent_code.as_deref().map(str::trim) {
                Some(p) if !p.is_empty() => match self.tree.by_code(p) {
                    Some(n) => UnionRef::Existing(n.id),
                    None => continue,
                },
                _ => match source.parent {
                    Some(p) => UnionRef::Existing(p),
                    None => {
                        self.err(row, "Đơn vị gốc không thể hợp nhất hay chia tách.");
                        continue;
                    }
                },
            };
            self.new_by_code
                .insert(code.to_owned(), self.out.created.len());
            self.out.created.push(Created {
                code: code.to_owned(),
                name: name.to_owned(),
                kind: source.kind,
                parent,
                line: row.line,
            });
        }
    }

    fn row(&mut self, row: &PlanRow) {
        if row.action == OpKind::Restore {
            self.restore(row);
            return;
        }
        let Some(node) = self.active(row, &row.code, "mã đơn vị") else {
            return;
        };
        if !self.touch(row, &node) {
            return;
        }
        match row.action {
            OpKind::Transfer => self.transfer(row, &node),
            OpKind::Dissolve => self.dissolve(row, &node),
            OpKind::End => self.end(row, &node),
            OpKind::Merge => self.merge(row, &node),
            OpKind::Split => self.split(row, &node),
            OpKind::Rename => self.rename(row, &node),
            OpKind::Restore => {}
        }
    }

    fn required<'r>(
        &mut self,
        row: &'r PlanRow,
        value: &'r Option<String>,
        column: &str,
    ) -> Option<&'r str> {
        match value.as_deref().map(str::trim) {
            Some(v) if !v.is_empty() => Some(v),
            _ => {
                self.err(
                    row,
                    format!("Thao tác {} cần cột {column}.", row.action.label()),
                );
                None
            }
        }
    }

    fn transfer(&mut self, row: &PlanRow, node: &Node) {
        let Some(code) = self.required(row, &row.new_parent_code, "Mã đơn vị cấp trên mới")
        else {
            return;
        };
        let Some((parent, kind)) = self.place(row, code, "đơn vị cấp trên mới") else {
            return;
        };
        if node.parent.map(UnionRef::Existing) == Some(parent) {
            self.err(
                row,
                format!("Đơn vị {} đã trực thuộc đơn vị {code}.", node.code),
            );
            return;
        }
        if !kind.may_hold(node.kind) {
            self.err(
                row,
                format!(
                    "{} không thể trực thuộc {} (mã {code}).",
                    node.kind.label(),
                    kind.label()
                ),
            );
            return;
        }
        self.out.moves.push((node.id, parent));
    }

    fn dissolve(&mut self, row: &PlanRow, node: &Node) {
        if node.parent.is_none() {
            self.err(row, "Không thể giải thể đơn vị gốc.");
            return;
        }
        if matches!(node.kind, UnionKind::Grassroots | UnionKind::Group) {
            self.err(
                row,
                "Công đoàn cơ sở và tổ công đoàn kết thúc hoạt động (thao tác kết thúc), không giải thể.",
            );
            return;
        }
        self.out.ended.push(Ended {
            id: node.id,
            how: OpKind::Dissolve,
            successors: Vec::new(),
            line: row.line,
        });
    }

    fn end(&mut self, row: &PlanRow, node: &Node) {
        if !matches!(node.kind, UnionKind::Grassroots | UnionKind::Group) {
            self.err(
                row,
                format!(
                    "Chỉ công đoàn cơ sở hay tổ công đoàn kết thúc hoạt động; {} thì giải thể.",
                    node.kind.label()
                ),
            );
            return;
        }
        if let Some(code) = row
            .successor_code
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
        {
            let Some((to, kind)) = self.place(row, code, "nơi chuyển đoàn viên") else {
                return;
            };
            if !matches!(kind, UnionKind::Grassroots | UnionKind::Group) {
                self.err(
                    row,
                    format!(
                        "Đoàn viên chỉ chuyển sang một công đoàn cơ sở (mã {code} là {}).",
                        kind.label()
                    ),
                );
                return;
            }
            self.out.members.push((node.id, to));
        }
        // Its groups end with it.
        for id in self.tree.subtree(node.id) {
            let Some(n) = self.tree.get(id) else { continue };
            if !n.active || (id != node.id && self.touched.contains_key(&id)) {
                continue;
            }
            self.touched.insert(id, (row.line, OpKind::End));
            self.out.ended.push(Ended {
                id,
                how: OpKind::End,
                successors: Vec::new(),
                line: row.line,
            });
        }
    }

    fn merge(&mut self, row: &PlanRow, node: &Node) {
        let Some(code) = self.required(row, &row.successor_code, "Mã đơn vị kế thừa")
        else {
            return;
        };
        if code == node.code {
            self.err(row, "Một đơn vị không hợp nhất vào chính nó.");
            return;
        }
        let Some((to, kind)) = self.place(row, code, "đơn vị kế thừa") else {
            return;
        };
        if kind != node.kind {
            self.err(
                row,
                format!(
                    "Chỉ hợp nhất các đơn vị cùng loại: {} là {}, {code} là {}.",
                    node.code,
                    node.kind.label(),
                    kind.label()
                ),
            );
            return;
        }
        self.out.ended.push(Ended {
            id: node.id,
            how: OpKind::Merge,
            successors: vec![to],
            line: row.line,
        });
        self.out.moves.push((node.id, to));
        self.out.members.push((node.id, to));
        // Its children go to the successor, unless a row of the plan sends them elsewhere.
        for &c in self.tree.children(node.id) {
            if self.tree.get(c).is_some_and(|n| n.active) {
                self.default_moves.push((c, to));
            }
        }
    }

    fn split(&mut self, row: &PlanRow, node: &Node) {
        let Some(code) = self.required(row, &row.successor_code, "Mã đơn vị kế thừa")
        else {
            return;
        };
        if node.parent.is_none() {
            self.err(row, "Không thể chia tách đơn vị gốc.");
            return;
        }
        let Some((to, kind)) = self.place(row, code, "đơn vị kế thừa") else {
            return;
        };
        if kind != node.kind {
            self.err(
                row,
                format!(
                    "Đơn vị kế thừa {code} phải cùng loại với {} ({}).",
                    node.code,
                    node.kind.label()
                ),
            );
            return;
        }
        if let Some(e) = self.out.ended.iter_mut().find(|e| e.id == node.id) {
            if !e.successors.contains(&to) {
                e.successors.push(to);
            }
            return;
        }
        self.out.ended.push(Ended {
            id: node.id,
            how: OpKind::Split,
            successors: vec![to],
            line: row.line,
        });
        self.out.moves.push((node.id, to));
        self.out.members.push((node.id, to));
    }

    fn rename(&mut self, row: &PlanRow, node: &Node) {
        let name = row
            .new_name
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty());
        let code = row
            .successor_code
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty());
        if name.is_none() && code.is_none() {
            self.err(
                row,
                "Đổi tên cần cột Tên mới, hoặc mã mới ở cột Mã đơn vị kế thừa.",
            );
            return;
        }
        if let Some(c) = code
            && c != node.code
            && (self.tree.by_code(c).is_some() || self.new_by_code.contains_key(c))
        {
            self.err(row, format!("Mã {c} đã được dùng cho đơn vị khác."));
            return;
        }
        self.out
            .renamed
            .push((node.id, name.map(str::to_owned), code.map(str::to_owned)));
    }

    /// An ended union operates again, under the parent the row names (or where it is).
    fn restore(&mut self, row: &PlanRow) {
        let Some(node) = self.tree.by_code(row.code.trim()).cloned() else {
            self.err(row, format!("Không có đơn vị mã {} (mã đơn vị).", row.code));
            return;
        };
        if node.active {
            self.err(
                row,
                format!(
                    "Đơn vị {} ({}) đang hoạt động, không cần khôi phục.",
                    node.code, node.name
                ),
            );
            return;
        }
        if !self.touch(row, &node) {
            return;
        }
        if let Some(code) = row
            .new_parent_code
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
        {
            let Some((parent, kind)) = self.place(row, code, "đơn vị cấp trên") else {
                return;
            };
            if !kind.may_hold(node.kind) {
                self.err(
                    row,
                    format!(
                        "{} không thể trực thuộc {} (mã {code}).",
                        node.kind.label(),
                        kind.label()
                    ),
                );
                return;
            }
            if node.parent.map(UnionRef::Existing) != Some(parent) {
                self.out.moves.push((node.id, parent));
            }
        }
        self.out.restored.push(node.id);
    }

    /// The checks over the whole plan: no child left under an ended union, no cycle, no
    /// union placed under one that ends, and each row's authority.
    fn finish(&mut self) {
        // A merged union's children follow it unless a row of their own decides.
        for (c, to) in std::mem::take(&mut self.default_moves) {
            if !self.touched.contains_key(&c) {
                self.out.moves.push((c, to));
            }
        }
        let ended: BTreeMap<i64, Ended> =
            self.out.ended.iter().map(|e| (e.id, e.clone())).collect();
        let moved: BTreeMap<i64, UnionRef> = self.out.moves.iter().copied().collect();
        // No active child left under a union that is dissolved or split.
        for e in ended.values() {
            if e.how == OpKind::Merge || e.how == OpKind::End {
                continue;
            }
            let left: Vec<&Node> = self
                .tree
                .children(e.id)
                .iter()
                .filter_map(|c| self.tree.get(*c))
                .filter(|c| c.active && !moved.contains_key(&c.id) && !ended.contains_key(&c.id))
                .collect();
            if !left.is_empty() {
                let codes: Vec<&str> = left.iter().take(10).map(|c| c.code.as_str()).collect();
                let node_code = self
                    .tree
                    .get(e.id)
                    .map(|n| n.code.clone())
                    .unwrap_or_default();
                self.errors.push(RowError {
                    line: e.line,
                    code: node_code.clone(),
                    reason: format!(
                        "{} đơn vị trực thuộc {node_code} chưa được chuyển đi ({}{}): thêm thao tác chuyển, hợp nhất hoặc kết thúc cho từng đơn vị.",
                        left.len(),
                        codes.join(", "),
                        if left.len() > 10 { ", …" } else { "" }
                    ),
                });
            }
        }
        let parent_after = |id: i64| -> Option<UnionRef> {
            match moved.get(&id) {
                Some(to) => Some(*to),
                None => self
                    .tree
                    .get(id)
                    .and_then(|n| n.parent)
                    .map(UnionRef::Existing),
            }
        };
        let parent_of_ref = |r: UnionRef| -> Option<UnionRef> {
            match r {
                UnionRef::Existing(id) => parent_after(id),
                UnionRef::New(i) => self.out.created.get(i).map(|c| c.parent),
            }
        };
        let mut problems = Vec::new();
        for &(id, to) in &self.out.moves {
            let line = ended
                .get(&id)
                .map(|e| e.line)
                .or_else(|| self.touched.get(&id).map(|t| t.0))
                .or_else(|| {
                    // A merged union's child: the merger's row.
                    self.tree
                        .get(id)
                        .and_then(|n| n.parent)
                        .and_then(|p| ended.get(&p))
                        .map(|e| e.line)
                })
                .unwrap_or(0);
            let code = self
                .tree
                .get(id)
                .map(|n| n.code.clone())
                .unwrap_or_default();
            // Up from the new parent: reaching the union itself is a cycle.
            let mut at = Some(to);
            let mut steps = 0;
            while let Some(r) = at {
                if r == UnionRef::Existing(id) {
                    problems.push(RowError {
                        line,
                        code: code.clone(),
                        reason: format!(
                            "Chuyển {code} vào chính nó hoặc vào đơn vị cấp dưới của nó sẽ tạo thành vòng."
                        ),
                    });
                    break;
                }
                steps += 1;
                if steps > 64 {
                    break;
                }
                at = parent_of_ref(r);
            }
            if let UnionRef::Existing(p) = to
                && let Some(e) = ended.get(&p)
            {
                let pcode = self.tree.get(p).map(|n| n.code.clone()).unwrap_or_default();
                problems.push(RowError {
                    line,
                    code: code.clone(),
                    reason: format!(
                        "Đơn vị cấp trên mới {pcode} kết thúc trong cùng phương án (thao tác {}).",
                        e.how.label()
                    ),
                });
            }
        }
        self.errors.extend(problems);
        // Each row's authority: the lowest union above all it changes.
        let existing = |r: UnionRef| -> Option<i64> {
            let mut at = Some(r);
            while let Some(x) = at {
                match x {
                    UnionRef::Existing(id) => return Some(id),
                    UnionRef::New(i) => at = self.out.created.get(i).map(|c| c.parent),
                }
            }
            None
        };
        let mut per_row: BTreeMap<usize, Vec<i64>> = BTreeMap::new();
        for (&id, &(line, _)) in &self.touched {
            let Some(n) = self.tree.get(id) else { continue };
            per_row
                .entry(line)
                .or_default()
                .push(n.parent.unwrap_or(id));
            if let Some(to) = moved.get(&id).copied().and_then(existing) {
                per_row.entry(line).or_default().push(to);
            }
        }
        for c in &self.out.created {
            if let Some(p) = existing(c.parent) {
                per_row.entry(c.line).or_default().push(p);
            }
        }
        for (line, ids) in per_row {
            if let Some(a) = self.tree.common_ancestor(&ids) {
                self.out.authority.insert(line, a);
            }
        }
    }
}

/// Whether several rows of an operation share the union they are about (a split's source,
/// one row per successor).
fn shared(action: OpKind) -> bool {
    action == OpKind::Split
}

mod inverse;
pub use inverse::{Before, inverse};

#[cfg(test)]
mod tests;
