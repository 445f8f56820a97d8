//! `--import`: the organisation import at scale. Generates a union tree (63 provinces × 5
//! upper-level unions × 10 grassroots unions, 3,528 rows) and a member list of N rows
//! (default 100,000) spread over the grassroots unions, as CSV (UTF-8 with BOM) and XLSX;
//! then times, as a system administrator: reading, validation and import of the tree; the
//! same for the members from CSV; re-importing that CSV (everything unchanged); and a second
//! member list of N new rows from XLSX.

use std::path::Path;
use std::time::Instant;

use sangkien::db::{self, Db, DbConn, unions, users};
use sangkien::domain::{Actor, Grant, Role, UnionKind, UnionPath};
use sangkien::error::AppError;
use sangkien::service::imports::{self, Row};

use super::Args;

const PROVINCES: usize = 63;
const UPPER_PER_PROVINCE: usize = 5;
const GRASSROOTS_PER_UPPER: usize = 10;

fn admin(conn: &mut DbConn) -> Result<Actor, AppError> {
    let now = db::now();
    let root = unions::insert(
        conn,
        &unions::NewUnion {
            parent: None,
            level: UnionKind::National.as_i32(),
            code: "TLD",
            name: "Tổng Liên đoàn Lao động Việt Nam",
            short_name: None,
            cluster: None,
            member_count: 0,
            now,
        },
    )?;
    let user = users::insert(
        conn,
        &users::NewUser {
            member_code: None,
            full_name: "Quản trị",
            email: "admin@bench.vn",
            phone: None,
            union_id: root.id,
            password_hash: None,
            status: "active",
            created_at: now,
            updated_at: now,
        },
    )?;
    users::grant(
        conn,
        user.id,
        Role::SystemAdmin.as_str(),
        root.id,
        None,
        None,
        now,
    )?;
    Ok(Actor {
        user_id: user.id,
        union_path: UnionPath::from_stored(root.path.clone()),
        union_in_operation: true,
        union_ended: false,
        grants: vec![Grant {
            role: Role::SystemAdmin,
            union_path: UnionPath::from_stored(root.path),
            program_id: None,
            in_operation: true,
        }],
    })
}

/// The tree's rows (header first) and the grassroots codes.
fn tree() -> (Vec<Vec<String>>, Vec<String>) {
    let mut rows = vec![
        [
            "Mã đơn vị",
            "Mã đơn vị cấp trên",
            "Tên đơn vị",
            "Cấp",
            "Cụm thi đua",
            "Số đoàn viên",
        ]
        .map(str::to_owned)
        .to_vec(),
    ];
    let mut grass = Vec::new();
    for p in 0..PROVINCES {
        let pc = format!("T{p:02}");
        rows.push(vec![
            pc.clone(),
            "TLD".into(),
            format!("Liên đoàn Lao động tỉnh số {p}"),
            "1".into(),
            format!("Cụm {}", p % 7 + 1),
            "0".into(),
        ]);
        for u in 0..UPPER_PER_PROVINCE {
            let uc = format!("{pc}-H{u}");
            rows.push(vec![
                uc.clone(),
                pc.clone(),
                format!("Liên đoàn Lao động huyện {p}-{u}"),
                "2".into(),
                String::new(),
                "0".into(),
            ]);
            for g in 0..GRASSROOTS_PER_UPPER {
                let gc = format!("{uc}-C{g}");
                rows.push(vec![
                    gc.clone(),
                    uc.clone(),
                    format!("Công đoàn cơ sở Trường học {p}-{u}-{g}"),
                    "3".into(),
                    String::new(),
                    "30".into(),
                ]);
                grass.push(gc);
            }
        }
    }
    (rows, grass)
}

fn members(n: usize, prefix: &str, grass: &[String]) -> Vec<Vec<String>> {
    const FAMILY: [&str; 8] = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi"];
    const GIVEN: [&str; 8] = [
        "Văn An",
        "Thị Bình",
        "Minh Châu",
        "Thu Dung",
        "Đức Em",
        "Ngọc Hà",
        "Quang Huy",
        "Thị Lan",
    ];
    let mut rows = vec![
        [
            "Mã đoàn viên",
            "Họ và tên",
            "Email",
            "Số điện thoại",
            "Mã đơn vị",
        ]
        .map(str::to_owned)
        .to_vec(),
    ];
    for i in 0..n {
        rows.push(vec![
            format!("{prefix}{i:07}"),
            format!("{} {}", FAMILY[i % 8], GIVEN[(i / 8) % 8]),
            format!("{}{i}@doanvien.vn", prefix.to_lowercase()),
            format!("09{:08}", i),
            grass[i % grass.len()].clone(),
        ]);
    }
    rows
}

fn write_csv(path: &Path, rows: &[Vec<String>]) -> anyhow::Result<()> {
    let mut out = b"\xEF\xBB\xBF".to_vec();
    {
        let mut w = csv::WriterBuilder::new()
            .delimiter(b';')
            .from_writer(&mut out);
        for r in rows {
            w.write_record(r)?;
        }
        w.flush()?;
    }
    std::fs::write(path, out)?;
    Ok(())
}

fn write_xlsx(path: &Path, rows: &[Vec<String>]) -> anyhow::Result<()> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            sheet.write_string(u32::try_from(r)?, u16::try_from(c)?, cell)?;
        }
    }
    book.save(path)?;
    Ok(())
}

struct Timing {
    read: f64,
    validate: f64,
    apply: f64,
    total: f64,
}

fn timed(
    db: &Db,
    actor: &Actor,
    kind: imports::ImportKind,
    path: &Path,
) -> anyhow::Result<(imports::ImportReport, Timing)> {
    let started = Instant::now();
    let bytes = std::fs::read(path)?;
    let rows: Vec<Row> = imports::read_rows(&bytes).map_err(|e| anyhow::anyhow!("{e}"))?;
    let read = started.elapsed().as_secs_f64();
    let mut validate = 0.0;
    let mut apply = 0.0;
    let report = db
        .blocking_write(|conn| {
            let (report, v, a) = match kind {
                imports::ImportKind::Unions => {
                    plan_and_apply::<imports::unions::Unions>(conn, actor, &rows)?
                }
                imports::ImportKind::Members => {
                    plan_and_apply::<imports::members::Members>(conn, actor, &rows)?
                }
            };
            validate = v;
            apply = a;
            Ok(report)
        })
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    if !report.is_valid() {
        anyhow::bail!(
            "bad rows: {:?}",
            &report.errors[..report.errors.len().min(5)]
        );
    }
    let total = started.elapsed().as_secs_f64();
    Ok((
        report,
        Timing {
            read,
            validate,
            apply,
            total,
        },
    ))
}

fn line(what: &str, bytes: u64, r: &imports::ImportReport, t: &Timing) {
    println!(
        "{what:<34} {:>7.1} MB  rows {:>7}  new {:>7}  changed {:>3}  unchanged {:>7}  \
         read {:>6.2} s  validate {:>6.2} s  write+commit {:>6.2} s  total {:>6.2} s",
        bytes as f64 / 1e6,
        r.rows,
        r.new,
        r.changed,
        r.unchanged,
        t.read,
        t.validate,
        t.total - t.read - t.validate,
        t.total
    );
    let _ = t.apply;
}

/// Runs the import bench.
pub fn import_bench(db: Db, args: &Args) -> anyhow::Result<()> {
    let n = args.docs;
    println!(
        "import bench on {:?}: a tree of {} unions, {n} members (CSV) + {n} members (XLSX)",
        db.backend(),
        PROVINCES * (1 + UPPER_PER_PROVINCE * (1 + GRASSROOTS_PER_UPPER))
    );
    let actor = db.blocking_write(admin)?;
    let (tree_rows, grass) = tree();
    let t = Instant::now();
    let tree_csv = args.dir.join("don-vi.csv");
    write_csv(&tree_csv, &tree_rows)?;
    let members_csv = args.dir.join("doan-vien.csv");
    write_csv(&members_csv, &members(n, "DV", &grass))?;
    let members_xlsx = args.dir.join("doan-vien-2.xlsx");
    write_xlsx(&members_xlsx, &members(n, "DX", &grass))?;
    println!("files written in {:.1} s", t.elapsed().as_secs_f64());
    let size = |p: &Path| std::fs::metadata(p).map_or(0, |m| m.len());

    let (r, t) = timed(&db, &actor, imports::ImportKind::Unions, &tree_csv)?;
    line("union tree, CSV", size(&tree_csv), &r, &t);
    let (r, t) = timed(&db, &actor, imports::ImportKind::Members, &members_csv)?;
    line("members, CSV", size(&members_csv), &r, &t);
    let (r, t) = timed(&db, &actor, imports::ImportKind::Members, &members_csv)?;
    line("members, CSV again (no change)", size(&members_csv), &r, &t);
    let (r, t) = timed(&db, &actor, imports::ImportKind::Members, &members_xlsx)?;
    line("members, XLSX (new codes)", size(&members_xlsx), &r, &t);
    let (r, t) = timed(&db, &actor, imports::ImportKind::Members, &members_xlsx)?;
    line(
        "members, XLSX again (no change)",
        size(&members_xlsx),
        &r,
        &t,
    );
    println!("peak memory {} MiB", super::status_kib("VmHWM:") / 1024);
    Ok(())
}

/// Plans and applies one file, timing each half: (report, seconds to validate, to apply).
fn plan_and_apply<I: imports::Importer>(
    conn: &mut sangkien::db::DbConn,
    actor: &Actor,
    rows: &[Row],
) -> Result<(imports::ImportReport, f64, f64), sangkien::error::AppError> {
    let t = Instant::now();
    let plan = I::plan(conn, actor, rows, &imports::no_progress)?;
    let validate = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let report = I::report(&plan).clone();
    if report.is_valid() && report.has_changes() {
        I::apply(conn, actor, &plan, &imports::no_progress)?;
    }
    Ok((report, validate, t.elapsed().as_secs_f64()))
}
