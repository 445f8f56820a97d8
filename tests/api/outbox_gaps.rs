//! The indexer and sequence numbers that become visible out of order: on PostgreSQL a
//! transaction draws its outbox number when it inserts the event but shows it only when it
//! commits, so a later number can be applied first. The lower one must still be indexed when
//! it commits (even across a restart), and a number whose transaction rolled back must not
//! hold the index's position back.

use std::time::{Duration, Instant};

use diesel::{Connection, PgConnection};
use reqwest::Method;
use sangkien::db::{DbConn, outbox};
use sangkien::error::AppError;
use sangkien::service;
use serde_json::{Value, json};

use crate::duplicates::{body_of, wait_for_match};
use crate::helpers::{Backend, TestApp, distinct_draft, json, submit, who};

crate::on_both_backends!(a_rolled_back_number_does_not_hold_the_index_back);

/// The index's state as readiness reports it.
async fn index_state(app: &TestApp) -> Value {
    let res = app
        .request(Method::GET, "/readyz", None)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    json(res).await["index"].clone()
}

/// The outbox's newest number and the index's position, as an administrator sees them.
async fn positions(app: &TestApp, admin: &str) -> (i64, i64) {
    let body = json(app.get("/api/v1/admin/system", admin).await).await;
    (
        body["outbox_seq"].as_i64().unwrap(),
        body["index_seq"].as_i64().unwrap(),
    )
}

/// Is `id` among the matches of the live check for `query`?
async fn found(app: &TestApp, token: &str, query: &Value, id: i64) -> bool {
    app.similar_matches(token, query)
        .await
        .iter()
        .any(|m| m["initiative_id"] == id)
}

/// A transaction on its own connection, held open on a thread of its own: it runs `work`,
/// reports the outbox number it drew, then commits or rolls back when told.
struct HeldTransaction {
    seq: i64,
    decide: std::sync::mpsc::Sender<bool>,
    thread: std::thread::JoinHandle<()>,
}

impl HeldTransaction {
    fn open(
        url: String,
        work: impl FnOnce(&mut DbConn) -> Result<(), AppError> + Send + 'static,
    ) -> Self {
        let (decide, decision) = std::sync::mpsc::channel::<bool>();
        let (report, seq) = std::sync::mpsc::channel::<i64>();
        let thread = std::thread::spawn(move || {
            let mut conn = DbConn::Pg(PgConnection::establish(&url).unwrap());
            let outcome = conn.transaction::<(), AppError, _>(|c| {
                work(c)?;
                // The transaction's own event is the newest it can see.
                report.send(outbox::max_seq(c)?).unwrap();
                if decision.recv().unwrap() {
                    Ok(())
                } else {
                    Err(AppError::unexpected("rolled back by the test"))
                }
            });
            drop(outcome);
        });
        let seq = seq.recv_timeout(Duration::from_secs(10)).unwrap();
        Self {
            seq,
            decide,
            thread,
        }
    }

    fn finish(self, commit: bool) {
        self.decide.send(commit).unwrap();
        self.thread.join().unwrap();
    }
}

/// PostgreSQL only: the situation needs two writers at once, a late commit below a number
/// already applied. On SQLite a second writer waits for the first one's commit, so numbers
/// become visible in order and the gap cannot arise.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_late_commit_below_the_applied_position_is_indexed() {
    let Some(mut app) = TestApp::spawn(Backend::Postgres).await else {
        return;
    };
    let w = app.world().await;
    // The held submission is in a program of its own: transitions of one program wait for
    // each other on the program's root count row, and the later one must not wait.
    let (late_program, late_field) = app.open_program(&w, "LATE").await;
    let member_a = app.login(who::MEMBER_A).await;
    let member_b = app.login(who::MEMBER_B).await;
    let admin = app.login(who::ADMIN).await;

    let mut late = distinct_draft(&w, 0);
    late["program_id"] = json!(late_program);
    late["field_id"] = json!(late_field);
    let draft = json(app.post("/api/v1/initiatives", &member_a, &late).await).await;
    let late_id = draft["id"].as_i64().unwrap();

    // Member A's submission draws its outbox number and stays uncommitted.
    let author = w.member_a;
    let held = HeldTransaction::open(app.settings.database.url.clone(), move |c| {
        let (_, actor) = service::auth::actor_in(c, author)?.unwrap();
        service::initiatives::submit_in(c, None, &actor, late_id, None, None)?;
        Ok(())
    });

    // Member B's submission, a higher number, commits and is indexed.
    let early = submit(&app, &member_b, &distinct_draft(&w, 1)).await;
    assert_eq!(early["_status"], 200, "{early}");
    let early_id = early["_id"].as_i64().unwrap();
    wait_for_match(&app, &member_b, &body_of(&early), early_id).await;
    let (newest, applied) = positions(&app, &admin).await;
    assert!(
        newest > held.seq,
        "the later submission has the higher number"
    );
    assert!(
        applied < held.seq,
        "the position stays below the uncommitted number: {applied} vs {}",
        held.seq
    );
    let state = index_state(&app).await;
    assert!(state["pending_gaps"].as_u64().unwrap() >= 1, "{state}");
    assert!(!found(&app, &member_b, &body_of(&late), late_id).await);

    // A restart reads on from the stored position, below the gap.
    app.restart().await;
    let member_b = app.login(who::MEMBER_B).await;
    wait_for_match(&app, &member_b, &body_of(&early), early_id).await;

    // The late submission commits: it is indexed, and the position moves past it.
    held.finish(true);
    wait_for_match(&app, &member_b, &body_of(&late), late_id).await;
    wait_until_caught_up(&app, &admin).await;
}

/// Waits (at most 5 s) until the position reaches the outbox's newest number, with no gap
/// left. (A gap is given up once every transaction of the cluster that was running when it
/// was seen has ended, so other databases' transactions on a shared server count too.)
async fn wait_until_caught_up(app: &TestApp, admin: &str) {
    let started = Instant::now();
    loop {
        let (newest, applied) = positions(app, admin).await;
        let state = index_state(app).await;
        if applied == newest && state["pending_gaps"] == 0 && state["status"] == "ok" {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "the index position stays at {applied} (newest {newest}): {state}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn a_rolled_back_number_does_not_hold_the_index_back(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let w = app.world().await;
    let member_b = app.login(who::MEMBER_B).await;
    let admin = app.login(who::ADMIN).await;
    let event = |c: &mut DbConn| -> Result<(), AppError> {
        outbox::append(
            c,
            "initiative.submitted",
            "initiative",
            i64::MAX,
            &json!({}),
            sangkien::db::now(),
        )?;
        Ok(())
    };
    let held = match backend {
        // Held open while a later number is applied, then rolled back: a permanent gap.
        Backend::Postgres => Some(HeldTransaction::open(
            app.settings.database.url.clone(),
            event,
        )),
        // One writer at a time: the rolled-back write is over before the next one starts.
        Backend::Sqlite => {
            let res = app
                .db
                .write(move |c| {
                    event(c)?;
                    Err::<(), _>(AppError::unexpected("rolled back by the test"))
                })
                .await;
            assert!(res.is_err());
            None
        }
    };
    let later = submit(&app, &member_b, &distinct_draft(&w, 2)).await;
    assert_eq!(later["_status"], 200, "{later}");
    let later_id = later["_id"].as_i64().unwrap();
    wait_for_match(&app, &member_b, &body_of(&later), later_id).await;
    if let Some(held) = held {
        let (_, applied) = positions(&app, &admin).await;
        assert!(applied < held.seq, "{applied} vs {}", held.seq);
        held.finish(false);
    }
    wait_until_caught_up(&app, &admin).await;
}
