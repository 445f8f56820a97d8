//! The member's home: their initiatives with status badges, the program's phase counting down,
//! the invitations to co-author waiting for an answer, and the one thing to do next. Visitors
//! who have not signed in see the program and the way in.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, post, web};
use askama::Template;
use chrono::Utc;
use serde::Deserialize;

use super::form::{NoFields, SignedInForm};
use super::{Chrome, PageError, Visitor, format, render, see_other};
use crate::domain::permissions::{Area, may_enter};
use crate::domain::{Actor, ProgramStatus};
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
    /// Invitations to co-author waiting for the member's answer.
    pub invitations: usize,
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
    let invitations = service::coauthors::mine(&state.db, actor);
    let (list, programs, union, invitations) =
        futures_util::future::try_join4(list, programs, union, invitations).await?;
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
                && may_enter(actor, Area::OwnInitiatives),
            program,
            pager: Pager::new(list.page, list.per_page, list.total, String::new()),
            total_text: format::number(list.total),
            rows: list.items.into_iter().map(InitiativeRow::from).collect(),
            invitations: invitations.len(),
        },
    )
}

/// An invitation to co-author as its page lists it.
#[derive(Debug, Clone)]
pub struct InvitationItem {
    pub initiative_id: i64,
    pub title: String,
    pub program_name: String,
    pub author_name: String,
    pub union_name: String,
    pub share_percent: i32,
    pub invited_text: String,
}

/// The invitations to co-author waiting for the member's answer.
#[derive(Template)]
#[template(path = "coauthor_invitations.html")]
pub struct InvitationsPage {
    pub chrome: Chrome,
    pub notice: Option<(&'static str, String)>,
    pub items: Vec<InvitationItem>,
}

/// Query of the invitations page.
#[derive(Debug, Deserialize)]
pub struct InvitationsQuery {
    pub da_tu_choi: Option<String>,
}

/// `GET /loi-moi-dong-tac-gia`: the invitations to co-author, each with "Xác nhận đồng tác
/// giả" and "Từ chối".
#[get("/loi-moi-dong-tac-gia")]
pub async fn coauthor_invitations(
    state: web::Data<AppState>,
    visitor: Visitor,
    query: web::Query<InvitationsQuery>,
) -> Result<HttpResponse, PageError> {
    let me = visitor.require()?;
    let items = service::coauthors::mine(&state.db, &me.actor)
        .await?
        .into_iter()
        .map(|i| InvitationItem {
            initiative_id: i.initiative_id,
            title: i.title,
            program_name: i.program_name,
            author_name: i.author_name,
            union_name: i.union_name,
            share_percent: i.share_percent,
            invited_text: format::datetime(i.invited_at),
        })
        .collect();
    render(
        StatusCode::OK,
        &InvitationsPage {
            chrome: Chrome::of(&visitor, "home"),
            notice: query
                .da_tu_choi
                .as_ref()
                .map(|_| ("ok", "Bạn đã từ chối lời mời.".to_owned())),
            items,
        },
    )
}

/// `POST /loi-moi-dong-tac-gia/{id}/xac-nhan`: accepts, then to the initiative.
#[post("/loi-moi-dong-tac-gia/{id}/xac-nhan")]
pub async fn accept_invitation(
    state: web::Data<AppState>,
    path: web::Path<i64>,
    f: SignedInForm<NoFields>,
) -> Result<HttpResponse, PageError> {
    let me = &f.me;
    let id = path.into_inner();
    service::coauthors::accept(&state.db, &me.actor, id).await?;
    Ok(see_other(&format!("/sang-kien/{id}")))
}

/// `POST /loi-moi-dong-tac-gia/{id}/tu-choi`: declines, then back to the list.
#[post("/loi-moi-dong-tac-gia/{id}/tu-choi")]
pub async fn decline_invitation(
    state: web::Data<AppState>,
    path: web::Path<i64>,
    f: SignedInForm<NoFields>,
) -> Result<HttpResponse, PageError> {
    let me = &f.me;
    service::coauthors::decline(&state.db, &me.actor, path.into_inner()).await?;
    Ok(see_other("/loi-moi-dong-tac-gia?da_tu_choi=1"))
}
