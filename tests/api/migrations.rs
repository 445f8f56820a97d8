//! The two migration trees: the same names, and each `down.sql` undoes its `up.sql`.

use diesel::migration::MigrationSource;
use diesel::{Connection, PgConnection, RunQueryDsl, SqliteConnection};
use diesel_migrations::MigrationHarness;
use sangkien::db::{POSTGRES_MIGRATIONS, SQLITE_MIGRATIONS};

fn names(dir: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("migrations folder")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn both_trees_have_the_same_migrations() {
    let root = env!("CARGO_MANIFEST_DIR");
    let sqlite = names(&format!("{root}/migrations/sqlite"));
    let postgres = names(&format!("{root}/migrations/postgres"));
    assert!(!sqlite.is_empty());
    assert_eq!(sqlite, postgres);
    for name in &sqlite {
        for tree in ["sqlite", "postgres"] {
            for file in ["up.sql", "down.sql"] {
                let path = format!("{root}/migrations/{tree}/{name}/{file}");
                assert!(std::path::Path::new(&path).exists(), "{path} is missing");
            }
        }
    }
    let embedded_sqlite = MigrationSource::<diesel::sqlite::Sqlite>::migrations(&SQLITE_MIGRATIONS)
        .unwrap()
        .len();
    let embedded_pg = MigrationSource::<diesel::pg::Pg>::migrations(&POSTGRES_MIGRATIONS)
        .unwrap()
        .len();
    assert_eq!(embedded_sqlite, embedded_pg);
}

#[derive(diesel::QueryableByName)]
struct Name {
    #[diesel(sql_type = diesel::sql_types::Text)]
    name: String,
}

#[test]
fn sqlite_down_undoes_up() {
    let dir = tempfile::tempdir().unwrap();
    let mut conn =
        SqliteConnection::establish(&dir.path().join("m.db").display().to_string()).unwrap();
    conn.run_pending_migrations(SQLITE_MIGRATIONS).unwrap();
    conn.revert_all_migrations(SQLITE_MIGRATIONS).unwrap();
    let left: Vec<Name> = diesel::sql_query(
        "SELECT name FROM sqlite_master WHERE type IN ('table','index') AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '__diesel%'",
    )
    .load(&mut conn)
    .unwrap();
    assert!(
        left.is_empty(),
        "left behind: {:?}",
        left.iter().map(|n| &n.name).collect::<Vec<_>>()
    );
    conn.run_pending_migrations(SQLITE_MIGRATIONS).unwrap();
}

#[test]
fn postgres_down_undoes_up() {
    let admin = std::env::var("TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned());
    let mut conn = match PgConnection::establish(&admin) {
        Ok(c) => c,
        Err(e) => {
            assert!(
                std::env::var_os("CI").is_none(),
                "PostgreSQL is required in CI: {e}"
            );
            eprintln!("SKIPPED (PostgreSQL unreachable: {e})");
            return;
        }
    };
    let name = format!("sk_mig_{}", uuid::Uuid::new_v4().simple());
    diesel::sql_query(format!("CREATE DATABASE \"{name}\""))
        .execute(&mut conn)
        .unwrap();
    let base = admin.rsplit_once('/').map(|(b, _)| b.to_owned()).unwrap();
    {
        let mut db = PgConnection::establish(&format!("{base}/{name}")).unwrap();
        db.run_pending_migrations(POSTGRES_MIGRATIONS).unwrap();
        db.revert_all_migrations(POSTGRES_MIGRATIONS).unwrap();
        let left: Vec<Name> = diesel::sql_query(
            "SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' AND tablename NOT LIKE '__diesel%'",
        )
        .load(&mut db)
        .unwrap();
        assert!(
            left.is_empty(),
            "left behind: {:?}",
            left.iter().map(|n| &n.name).collect::<Vec<_>>()
        );
        db.run_pending_migrations(POSTGRES_MIGRATIONS).unwrap();
    }
    diesel::sql_query(format!("DROP DATABASE \"{name}\" WITH (FORCE)"))
        .execute(&mut conn)
        .unwrap();
}
