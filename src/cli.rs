//! The command line: `serve`, `migrate`, `seed --demo`, `user create`, `import`,
//! `reorganise`, `check-config`; with no command, the embedded demo (migrate, seed an empty database, serve).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::app::Application;
use crate::auth::password;
use crate::config::Settings;
use crate::db::{Db, programs, unions};
use crate::domain::{Role, text};
use crate::search::SearchService;
use crate::service;
use crate::service::imports::ImportKind;
use crate::service::users::{GrantInput, NewUserInput};

/// Sáng kiến — initiatives of trade-union members, from submission to quota.
#[derive(Debug, Parser)]
#[command(name = "sangkien", version, about)]
pub struct Cli {
    /// An environment configuration file layered over the defaults (also SANGKIEN_CONFIG).
    #[arg(long, global = true)]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// What to do.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve HTTP (migrating first when database.migrate_on_start is set).
    Serve {
        /// Listen address, e.g. 0.0.0.0:8080 (default: server.bind).
        #[arg(long)]
        bind: Option<String>,
    },
    /// Apply pending database migrations.
    Migrate,
    /// Load data.
    Seed {
        /// The demo data set (idempotent).
        #[arg(long)]
        demo: bool,
    },
    /// Manage users.
    #[command(subcommand)]
    User(UserCommand),
    /// Print the effective configuration with secrets redacted.
    CheckConfig,
    /// Rotate the development signing key in the data folder (`jwt.key`): a new key signs
    /// from the next start on, the old one is kept in `jwt.previous` to verify what it signed.
    /// With `auth.jwt_secret` configured, rotate through the environment instead.
    RotateKey {
        /// How many rotated-out keys to keep.
        #[arg(long, default_value_t = 2)]
        keep: usize,
    },
    /// Rebuild the search index from the database (stop the server first: it holds the index).
    Reindex,
    /// Find every duplicate pair in a program, for initiatives filed before the check existed.
    DedupScan {
        /// The program's code.
        #[arg(long)]
        program: String,
    },
    /// Import the union tree or members from an XLSX or CSV file, within an officer's subtree
    /// (every row validated first; nothing is written if one is bad).
    #[command(subcommand)]
    Import(ImportCommand),
    /// Apply a reorganisation of the union tree (sắp xếp tổ chức) from a plan file, XLSX or
    /// CSV: Thao tác, Mã đơn vị, Mã đơn vị cấp trên mới, Mã đơn vị kế thừa, Tên mới, Ngày hiệu
    /// lực, Số quyết định (every row checked first; nothing is written if one is bad).
    Reorganise(ReorganiseArgs),
    /// Recompute the counts of initiatives per union and status from the initiatives.
    Recount {
        /// Only compare with the stored counts and report every difference (exit code 1 if
        /// any); change nothing.
        #[arg(long)]
        verify: bool,
    },
}

/// What to import.
#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// The union tree: Mã đơn vị, Mã đơn vị cấp trên, Tên đơn vị, Cấp, Cụm thi đua, Số đoàn
    /// viên (or code, parent code, name, level, cluster, member count).
    Unions(ImportArgs),
    /// Members: Mã đoàn viên, Họ và tên, Email, Số điện thoại, Mã đơn vị (or member code, full
    /// name, email, phone, union code).
    Members(ImportArgs),
}

/// `import unions|members`
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The XLSX or CSV (UTF-8) file.
    pub file: PathBuf,
    /// Email of the officer (or system administrator) importing: the import stays within the
    /// subtree their role covers and is recorded in their name.
    #[arg(long = "as", value_name = "EMAIL")]
    pub actor: String,
    /// Only validate and print the report; change nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// `reorganise`
#[derive(Debug, Args)]
pub struct ReorganiseArgs {
    /// The plan: an XLSX or CSV (UTF-8) file, one row per operation.
    pub file: PathBuf,
    /// Email of the officer (or system administrator) deciding: every row must lie within
    /// the subtree their role covers, and the reorganisation is recorded in their name.
    #[arg(long = "as", value_name = "EMAIL")]
    pub actor: String,
    /// Only try the plan and print its report; change nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// User administration.
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user with roles.
    Create(UserCreate),
}

/// `user create`
#[derive(Debug, Args)]
pub struct UserCreate {
    #[arg(long)]
    pub email: String,
    #[arg(long)]
    pub password: String,
    /// Full name.
    #[arg(long)]
    pub name: String,
    /// Code of the user's union.
    #[arg(long = "union")]
    pub union_code: String,
    /// Optional member code.
    #[arg(long)]
    pub member_code: Option<String>,
    /// ROLE[:UNION_CODE[:PROGRAM_CODE]], repeatable; the union defaults to the user's.
    /// Roles: member, reviewer, union_officer, program_admin, system_admin.
    #[arg(long = "role")]
    pub roles: Vec<String>,
}

/// Parses the command line and runs it.
pub fn run() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let settings = Settings::load(cli.config.as_deref())?;
    crate::telemetry::init(&settings.log);
    match cli.command {
        None => demo(settings),
        Some(Command::Serve { bind }) => serve(settings, bind.as_deref(), false),
        Some(Command::Migrate) => {
            let db = connect(&settings)?;
            let ran = db.migrate()?;
            println!("Đã áp dụng {ran} migration.");
            Ok(())
        }
        Some(Command::Seed { demo }) => {
            if !demo {
                anyhow::bail!("nothing to seed: use `seed --demo`");
            }
            let db = connect(&settings)?;
            db.migrate()?;
            let report = service::seed::seed_demo(&db)?;
            if report.seeded {
                println!(
                    "Đã tạo dữ liệu mẫu: {} công đoàn, {} người dùng, {} sáng kiến.",
                    report.unions, report.users, report.initiatives
                );
            } else {
                println!("Dữ liệu mẫu đã có sẵn; không thay đổi gì.");
            }
            print_demo_logins();
            Ok(())
        }
        Some(Command::User(UserCommand::Create(args))) => create_user(&settings, args),
        Some(Command::CheckConfig) => {
            print!("{}", settings.redacted_toml()?);
            Ok(())
        }
        Some(Command::RotateKey { keep }) => {
            if settings.auth.jwt_secret.is_some() {
                anyhow::bail!(
                    "auth.jwt_secret is configured: rotate by moving it to \
                     SANGKIEN__AUTH__JWT_PREVIOUS_SECRETS and setting a new one"
                );
            }
            let kid = crate::auth::TokenKeys::rotate_dev_key(&settings.data.dir, keep)?;
            println!(
                "Khoá ký mới: {kid}. Khởi động lại máy chủ để dùng khoá mới; phiên cũ vẫn hợp lệ đến khi hết hạn."
            );
            Ok(())
        }
        Some(Command::Reindex) => {
            let db = connect(&settings)?;
            db.migrate()?;
            let search = SearchService::open(&settings.data.dir.join("index"))?;
            let bar = progress_bar("Lập chỉ mục");
            let n = search.rebuild(&db, |done, total| {
                bar.set_length(total);
                bar.set_position(done);
            })?;
            bar.finish();
            println!("Đã lập chỉ mục {n} sáng kiến.");
            Ok(())
        }
        Some(Command::Import(ImportCommand::Unions(args))) => {
            import(&settings, ImportKind::Unions, &args)
        }
        Some(Command::Import(ImportCommand::Members(args))) => {
            import(&settings, ImportKind::Members, &args)
        }
        Some(Command::Reorganise(args)) => reorganise(&settings, &args),
        Some(Command::Recount { verify }) => {
            let db = connect(&settings)?;
            db.migrate()?;
            if verify {
                let drift = db.blocking_read(|conn| Ok(crate::db::counts::drift(conn)?))?;
                if drift.is_empty() {
                    println!("Số liệu khớp: không có chênh lệch nào.");
                    return Ok(());
                }
                for line in &drift {
                    println!("{line}");
                }
                anyhow::bail!("{} dòng số liệu chênh lệch so với đếm lại", drift.len());
            }
            let n = db.blocking_write(|conn| Ok(crate::db::counts::rebuild(conn)?))?;
            println!("Đã đếm lại: {n} dòng số liệu theo đơn vị.");
            Ok(())
        }
        Some(Command::DedupScan { program }) => {
            let db = connect(&settings)?;
            db.migrate()?;
            let program = db
                .blocking_write(|conn| Ok(programs::find_by_code(conn, &program)?))?
                .ok_or_else(|| anyhow::anyhow!("no program with code {program}"))?;
            let search = SearchService::open(&settings.data.dir.join("index"))?;
            search.catch_up(&db)?;
            let bar = progress_bar("Rà soát trùng lặp");
            let pairs = service::similar::dedup_scan(&db, &search, program.id, |done, total| {
                bar.set_length(total);
                bar.set_position(done);
            })?;
            bar.finish();
            println!(
                "Đã ghi nhận {pairs} cặp nghi trùng lặp trong chương trình {}.",
                program.code
            );
            Ok(())
        }
    }
}

fn progress_bar(what: &str) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(0);
    let style = indicatif::ProgressStyle::with_template(
        "{msg} [{bar:40}] {pos}/{len} ({per_sec}, còn {eta})",
    )
    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
    .progress_chars("=> ");
    bar.set_style(style);
    bar.set_message(what.to_owned());
    bar
}

fn import(settings: &Settings, kind: ImportKind, args: &ImportArgs) -> anyhow::Result<()> {
    let app_error = |e: crate::error::AppError| with_cause(e.message.clone(), e);
    let email = text::parse_email(&args.actor).map_err(|e| anyhow::anyhow!("--as: {e}"))?;
    let bytes =
        std::fs::read(&args.file).map_err(|e| anyhow::anyhow!("{}: {e}", args.file.display()))?;
    let rows = service::imports::read_rows(&bytes).map_err(app_error)?;
    let db = connect(settings)?;
    db.migrate()?;
    let bar = progress_bar("Kiểm tra");
    let progress = |stage: &'static str, done: u64, total: u64| {
        bar.set_message(stage);
        bar.set_length(total);
        bar.set_position(done);
    };
    let report = db
        .blocking_write(|conn| {
            let actor = actor_in(conn, &email)?;
            service::imports::run_in(conn, &actor, kind, &rows, args.dry_run, &progress)
        })
        .map_err(app_error)?;
    bar.finish_and_clear();
    let bad_lines = report
        .errors
        .iter()
        .map(|e| e.line)
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    println!(
        "{} ({}): {} dòng dữ liệu; {} mới, {} thay đổi, {} không đổi; {} dòng lỗi.",
        kind.label(),
        args.file.display(),
        report.rows,
        report.new,
        report.changed,
        report.unchanged,
        bad_lines
    );
    for e in &report.errors {
        if e.code.is_empty() {
            println!("  Dòng {}: {}", e.line, e.message);
        } else {
            println!("  Dòng {} [{}]: {}", e.line, e.code, e.message);
        }
    }
    if !report.is_valid() {
        anyhow::bail!("{bad_lines} dòng không hợp lệ; chưa nhập dòng nào");
    }
    if args.dry_run {
        println!("Chạy thử (--dry-run): chưa ghi gì vào cơ sở dữ liệu.");
    } else if report.applied {
        println!("Đã nhập dữ liệu.");
    } else {
        println!("Không có gì thay đổi.");
    }
    Ok(())
}

/// The signed-in identity of the account with this email, refused as signing in would be
/// (disabled, or a union that stopped operating).
fn actor_in(
    conn: &mut crate::db::DbConn,
    email: &str,
) -> Result<crate::domain::Actor, crate::error::AppError> {
    let user = crate::db::users::find_by_email(conn, email)?.ok_or_else(|| {
        crate::error::AppError::not_found()
            .with_message(format!("Không có tài khoản nào với email {email}."))
    })?;
    if let Some(refused) = service::auth::refusal_in(conn, &user)? {
        return Err(refused);
    }
    let (_, actor) = service::auth::actor_in(conn, user.id)?
        .ok_or_else(|| crate::error::AppError::new(crate::error::ErrorCode::AccountDisabled))?;
    Ok(actor)
}

/// Prints every refused row of a plan (`details.rows` of `plan_invalid`, or of `forbidden`
/// for rows beyond the actor's scope); the command's error.
fn plan_refused(e: crate::error::AppError) -> anyhow::Error {
    let rows = e
        .details
        .as_ref()
        .and_then(|d| d.get("rows"))
        .and_then(|r| r.as_array())
        .cloned()
        .unwrap_or_default();
    if rows.is_empty() {
        return with_cause(e.message.clone(), e);
    }
    println!(
        "Phương án có {} lỗi; chưa áp dụng thao tác nào:",
        rows.len()
    );
    for r in &rows {
        let line = r["line"].as_u64().unwrap_or_default();
        let code = r["code"].as_str().unwrap_or_default();
        let reason = r["reason"].as_str().unwrap_or_default();
        if code.is_empty() {
            println!("  Dòng {line}: {reason}");
        } else {
            println!("  Dòng {line} [{code}]: {reason}");
        }
    }
    anyhow::anyhow!(
        "{} dòng không hợp lệ; chưa áp dụng thao tác nào",
        rows.len()
    )
}

fn reorganise(settings: &Settings, args: &ReorganiseArgs) -> anyhow::Result<()> {
    use service::reorganisations::plan_file;
    let email = text::parse_email(&args.actor).map_err(|e| anyhow::anyhow!("--as: {e}"))?;
    let bytes =
        std::fs::read(&args.file).map_err(|e| anyhow::anyhow!("{}: {e}", args.file.display()))?;
    let plan = plan_file::parse(&bytes, &plan_file::Given::default()).map_err(plan_refused)?;
    let db = connect(settings)?;
    db.migrate()?;
    let actor = db
        .blocking_read(|conn| actor_in(conn, &email))
        .map_err(|e| with_cause(e.message.clone(), e))?;
    // The plan is applied in one transaction: a spinner while it runs.
    let bar = indicatif::ProgressBar::new_spinner();
    bar.set_message(format!(
        "{} {} thao tác",
        if args.dry_run {
            "Chạy thử"
        } else {
            "Áp dụng"
        },
        plan.rows.len()
    ));
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    let dry_run = args.dry_run;
    let report = actix_web::rt::System::new()
        .block_on(async { service::reorganisations::apply(&db, &actor, plan, dry_run).await });
    bar.finish_and_clear();
    let report = report.map_err(plan_refused)?;
    print_report(&report);
    if dry_run {
        println!("Chạy thử (--dry-run): chưa ghi gì vào cơ sở dữ liệu.");
    } else {
        println!("Đã áp dụng phương án sắp xếp số {}.", report.id);
    }
    Ok(())
}

fn print_report(r: &service::reorganisations::Report) {
    let n = crate::format::number;
    println!("{}", r.summary);
    println!("Đơn vị ban hành: {} ({}).", r.issuer.name, r.issuer.code);
    println!("Các đơn vị thay đổi ({}):", r.changes.len());
    for c in &r.changes {
        println!(
            "  [{}] {}: {} · {} đoàn viên",
            c.code,
            c.name,
            c.text,
            n(c.members)
        );
    }
    println!("Đoàn viên chuyển đơn vị: {}.", r.members_moved);
    if r.members_left.is_empty() {
        println!("Không có đoàn viên nào bị để lại không có đơn vị.");
    } else {
        println!("Đoàn viên chưa có đơn vị (cần chuyển sau):");
        for m in &r.members_left {
            println!("  [{}] {}: {} tài khoản", m.code, m.name, n(m.accounts));
        }
    }
    if !r.figures.is_empty() {
        println!("Số liệu của các đơn vị cấp trên (trước → sau):");
        for f in &r.figures {
            println!(
                "  [{}] {} · chương trình #{}: đã nộp {} → {}, được thông qua {} → {}",
                f.code,
                f.name,
                f.program_id,
                n(f.submitted_before),
                n(f.submitted_after),
                n(f.approved_before),
                n(f.approved_after)
            );
        }
    }
}

fn connect(settings: &Settings) -> anyhow::Result<Db> {
    Db::connect(&settings.database_url()?, settings.database.pool_size)
}

fn demo(settings: Settings) -> anyhow::Result<()> {
    let db = connect(&settings)?;
    db.migrate()?;
    if settings.demo.seed_on_first_start && service::seed::is_empty(&db)? {
        println!("Cơ sở dữ liệu trống: đang tạo dữ liệu mẫu…");
        let report = service::seed::seed_demo(&db)?;
        println!(
            "Đã tạo {} công đoàn, {} người dùng, {} sáng kiến.",
            report.unions, report.users, report.initiatives
        );
    }
    drop(db);
    serve(settings, None, true)
}

fn print_demo_logins() {
    println!(
        "Tài khoản mẫu (mật khẩu: {}):",
        service::seed::DEMO_PASSWORD
    );
    for (email, _, what) in service::seed::DEMO_ACCOUNTS {
        println!("  {email:<32} {what}");
    }
}

fn serve(settings: Settings, bind: Option<&str>, show_demo: bool) -> anyhow::Result<()> {
    actix_web::rt::System::new().block_on(async move {
        let app = Application::build(settings, bind)?;
        let host = bind
            .map(str::to_owned)
            .unwrap_or_else(|| app.state().settings.server.bind.clone());
        let host = host
            .rsplit_once(':')
            .map_or(host.clone(), |(h, _)| h.to_owned());
        println!("Sáng kiến đang chạy tại http://{host}:{}/", app.port());
        println!("  API: http://{host}:{}/api/v1/openapi.json", app.port());
        if show_demo {
            print_demo_logins();
        }
        app.run_until_stopped().await?;
        tracing::info!("stopped");
        Ok(())
    })
}

fn create_user(settings: &Settings, args: UserCreate) -> anyhow::Result<()> {
    let db = connect(settings)?;
    db.migrate()?;
    let email = text::parse_email(&args.email).map_err(|e| anyhow::anyhow!("--email: {e}"))?;
    password::check_strength(&args.password).map_err(|e| anyhow::anyhow!("--password: {e}"))?;
    let name = text::clean_line(&args.name);
    text::NAME
        .check(&name)
        .map_err(|e| anyhow::anyhow!("--name: {e}"))?;
    let hash = password::hash(&args.password)?;
    let detail = db.blocking_write(|conn| {
        let home = unions::find_by_code(conn, &args.union_code)?.ok_or_else(|| {
            crate::error::AppError::field(
                "union",
                format!("no union with code {}", args.union_code),
            )
        })?;
        let detail = service::users::create_in(
            conn,
            None,
            &NewUserInput {
                member_code: args.member_code.clone(),
                full_name: name.clone(),
                email: email.clone(),
                phone: None,
                union_id: home.id,
                password: None,
            },
            Some(&hash),
        )?;
        for spec in &args.roles {
            let mut parts = spec.split(':');
            let role = parts.next().and_then(Role::parse).ok_or_else(|| {
                crate::error::AppError::field("role", format!("unknown role in {spec:?}"))
            })?;
            let union = match parts.next().filter(|s| !s.is_empty()) {
                Some(code) => unions::find_by_code(conn, code)?.ok_or_else(|| {
                    crate::error::AppError::field("role", format!("no union with code {code}"))
                })?,
                None => home.clone(),
            };
            let program_id = match parts.next().filter(|s| !s.is_empty()) {
                Some(code) => Some(
                    programs::find_by_code(conn, code)?
                        .ok_or_else(|| {
                            crate::error::AppError::field(
                                "role",
                                format!("no program with code {code}"),
                            )
                        })?
                        .id,
                ),
                None => None,
            };
            service::users::grant_in(
                conn,
                None,
                detail.user.id,
                &GrantInput {
                    role,
                    union_id: union.id,
                    program_id,
                },
            )?;
        }
        Ok(detail)
    });
    let detail = detail.map_err(|e| {
        let shown = format!(
            "{}: {}",
            e.message,
            e.details
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default()
        );
        with_cause(shown, e)
    })?;
    println!(
        "Đã tạo người dùng #{} <{}>.",
        detail.user.id, detail.user.email
    );
    Ok(())
}

/// `shown` as the command's error, with the cause of an internal error under it (what
/// `lỗi: …` prints), so that a failure says what failed.
fn with_cause(shown: String, e: crate::error::AppError) -> anyhow::Error {
    match e.source {
        Some(cause) => cause.context(shown),
        None => anyhow::anyhow!(shown),
    }
}
