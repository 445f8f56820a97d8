//! The member's home: their initiatives with status badges, the program's phase counting down,
//! and the one thing to do next. Visitors who have not signed in see the program and the way in.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, web};
use askama::Template;
use chrono::Utc;
use serde::Deserialize;

use super::{Chrome, PageError, Visitor, format, render};
use crate::domain::{Actor, ProgramStatus, Role};
use crate::service::initiatives::{InitiativeSummary, ListQuery};
use crate::service::programs::ProgramView;
use crate::service::{self, PageRequest};
use crate::state::AppState;

/// The program and its phase as the home page shows them.
#[derive(Debug, Clone)]
pub struct ProgramBox {
    pub id: i64,
    pub name: String,
    pub phase_name: String,
    /// "Hạn nộp" or "Mở nhận từ".
    pub when_label: &'static str,
    pub when_text: String,
    pub when_iso: String,
    /// Time left (or until opening), in words.
    pub remaining: String,
    pub open_now: bool,
}

impl ProgramBox {
    /// The open program taking submissions now (or, failing that, the one whose next phase
    /// opens soonest), with that phase.
    pub fn pick(programs: &[ProgramView]) -> Option<Self> {
        let now = Utc::now();
        let open = || programs.iter().filter(|p| p.status == ProgramStatus::Open);
        let current = open().find_map(|p| Some((p, p.phases.iter().find(|ph| ph.open_now)?)));
        let (program, phase_name, label, at, open_now) = match current {
            Some((p, ph)) => (p, ph.name.clone(), "Hạn nộp", ph.closes_at, true),
            None => {
                let (p, ph) = open()
                    .flat_map(|p| p.phases.iter().map(move |ph| (p, ph)))
                    .filter(|(_, ph)| ph.opens_at > now)
                    .min_by_key(|(_, ph)| ph.opens_at)?;
                (p, ph.name.clone(), "Mở nhận từ", ph.opens_at, false)
            }
        };
        Some(Self {
            id: program.id,
            name: program.name.clone(),
            phase_name,
            when_label: label,
            when_text: format::datetime(at),
            when_iso: format::iso(at),
            remaining: format::remaining(now, at),
            open_now,
        })
    }
}

/// An initiative in a list, ready to show.
#[derive(Debug, Clone)]
pub struct InitiativeRow {
    pub id: i64,
    pub title: String,
    pub tone: &'static str,
    pub status_name: &'static str,
    pub next_step: &'static str,
    pub editable: bool,
    pub receipt_no: String,
    pub updated_text: String,
}

impl From<InitiativeSummary> for InitiativeRow {
    fn from(s: InitiativeSummary) -> Self {
        Self {
            id: s.id,
            title: s.title,
            tone: s.status.tone(),
            status_name: s.status_name,
            next_step: s.status.next_step(),
            editable: s.status.is_editable(),
            receipt_no: s.receipt_no.unwrap_or_default(),
            updated_text: format::datetime(s.updated_at),
        }
    }
}

/// Page links under a list.
#[derive(Debug, Clone, Default)]
pub struct Pager {
    pub page: i64,
    pub pages: i64,
    pub total: i64,
    /// The query string to which `page=N` is appended (ends with `&` or is empty).
    pub base: String,
}

impl Pager {
    /// Pages for `total` items shown `per_page` at a time.
    pub fn new(page: i64, per_page: i64, total: i64, base: String) -> Self {
        Self {
            page,
            pages: ((total + per_page - 1) / per_page.max(1)).max(1),
            total,
            base,
        }
    }

    /// Is there a page before this one?
    pub fn has_prev(&self) -> bool {
        self.page > 1
    }

    /// Is there a page after this one?
    pub fn has_next(&self) -> bool {
        self.page < self.pages
    }
}

/// The home page.
#[derive(Template)]
#[template(path = "home.html")]
pub struct HomePage {
    pub chrome: Chrome,
    pub first_name: String,
    pub union_name: String,
    pub program: Option<ProgramBox>,
    pub can_create: bool,
    pub rows: Vec<InitiativeRow>,
    pub pager: Pager,
    pub total_text: String,
}

/// The landing page for visitors who have not signed in.
#[derive(Template)]
#[template(path = "landing.html")]
pub struct LandingPage {
    pub chrome: Chrome,
    pub program: Option<ProgramBox>,
}

/// Query of the home page.
#[derive(Debug, Deserialize)]
pub struct HomeQuery {
    pub page: Option<i64>,
}

/// `GET /`: the member's home, or the landing page.
#[get("/")]
pub async fn home(
    state: web::Data<AppState>,
    visitor: Visitor,
    query: web::Query<HomeQuery>,
) -> Result<HttpResponse, PageError> {
    let Some(identity) = &visitor.identity else {
        let programs = service::programs::list(&state.db, &Actor::anonymous()).await?;
        return render(
            StatusCode::OK,
            &LandingPage {
                chrome: Chrome::of(&visitor, "home"),
                program: ProgramBox::pick(&programs),
            },
        );
    };
    let actor = &identity.actor;
    let page = PageRequest {
        page: Some(query.page.unwrap_or(1)),
        per_page: Some(20),
    };
    let list = service::initiatives::list(
        &state.db,
        actor,
        ListQuery {
            author_id: Some(actor.user_id),
            ..ListQuery::default()
        },
        page,
    );
    let programs = service::programs::list(&state.db, actor);
    let union = service::unions::get(&state.db, actor, identity.user.union_id);
    let (list, programs, union) = futures_util::future::try_join3(list, programs, union).await?;
    let program = ProgramBox::pick(&programs);
    let first_name = identity
        .user
        .full_name
        .split_whitespace()
        .last()
        .unwrap_or_default()
        .to_owned();
    render(
        StatusCode::OK,
        &HomePage {
            chrome: Chrome::of(&visitor, "home"),
            first_name,
            union_name: union.name,
            can_create: program.as_ref().is_some_and(|p| p.open_now)
                && actor.has_role(Role::Member),
            program,
            pager: Pager::new(list.page, list.per_page, list.total, String::new()),
            total_text: format::number(list.total),
            rows: list.items.into_iter().map(InitiativeRow::from).collect(),
        },
    )
}
