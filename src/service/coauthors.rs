//! Co-authorship as an invitation the co-author accepts (lời mời đồng tác giả): the author
//! names co-authors by exact member code or email (or, from the API, by the id of someone
//! already on the initiative or of the same grassroots union); each one named gets one
//! invitation email and nothing else, counts for nothing and reads nothing of the draft until
//! they accept — only then are they one of the initiative's authors.

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::Serialize;

use crate::db::coauthors::{self as q, InvitationRow};
use crate::db::initiatives::{self, InitiativeRow};
use crate::db::{self, Db, DbConn, users};
use crate::domain::Stored;
use crate::domain::initiative::InvitationStatus;
use crate::domain::permissions::takes_part;
use crate::domain::{Action, Actor, Resource, Role, Shares, UnionPath, UserStatus, can};
use crate::error::{AppError, ErrorCode, FieldErrors};
pub use crate::service::shared::initiative::CoauthorInvitationView;
use crate::service::shared::initiative::{InitiativeView, load, record, status_of, view_for};

/// Who the author names as a co-author.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CoauthorRef {
    /// A member code or email, matched exactly (emails without regard to case).
    Login(String),
    /// A user id (the API): someone already on the initiative, or of the author's own
    /// grassroots union.
    Id(i64),
}

/// A co-author as the author lists them, with the proposed share.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoauthorInput {
    pub who: CoauthorRef,
    /// 1–100.
    pub share_percent: i32,
    /// Invite again someone who declined.
    pub reinvite: bool,
}

/// An open invitation as the invitee sees it: the minimal facts, not the draft.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct InvitationToMe {
    pub initiative_id: i64,
    pub title: String,
    pub program_name: String,
    /// Who invites (the submitting author).
    pub author_name: String,
    /// The author's union.
    pub union_name: String,
    /// The share proposed to the invitee.
    pub share_percent: i32,
    pub invited_at: DateTime<Utc>,
}

/// The one answer for everyone the author may not name, whether or not they exist.
const NOT_FOUND: &str = "Không tìm thấy đoàn viên có mã hoặc email này. Hãy nhập đúng mã đoàn viên hoặc email của đồng tác giả.";

/// Naming oneself.
const SELF: &str = "Bạn đã là tác giả chính; không cần thêm lại.";

fn field(i: usize) -> String {
    format!("coauthors.{i}")
}

/// One co-author of the plan: an accepted one, an invitation kept, or a new invitation.
#[derive(Debug, Clone)]
enum Entry {
    Accepted {
        user_id: i64,
        share: i32,
    },
    Invited {
        row: InvitationRow,
        share: i32,
        reinvite: bool,
    },
    New {
        user_id: i64,
        invited_as: String,
        share: i32,
    },
}

impl Entry {
    fn user_id(&self) -> i64 {
        match self {
            Self::Accepted { user_id, .. } | Self::New { user_id, .. } => *user_id,
            Self::Invited { row, .. } => row.user_id,
        }
    }

    fn share(&self) -> i32 {
        match self {
            Self::Accepted { share, .. }
            | Self::Invited { share, .. }
            | Self::New { share, .. } => *share,
        }
    }
}

/// The co-authors of an initiative once saved, checked but not yet written.
#[derive(Debug, Clone)]
pub(crate) struct Plan {
    author_id: i64,
    author_share: i32,
    entries: Vec<Entry>,
}

/// Checks a list of co-authors for the initiative (`None` for a new one) of `author_id`:
/// each is resolved under the naming rule, and the shares of everyone listed (accepted or
/// invited) are checked as a plan (their total is checked at submission, on accepted ones).
pub(crate) fn plan(
    conn: &mut DbConn,
    actor: &Actor,
    author_id: i64,
    initiative_id: Option<i64>,
    list: Option<&[CoauthorInput]>,
    author_share: Option<i32>,
) -> Result<Plan, AppError> {
    let accepted: Vec<(i64, i32)> = match initiative_id {
        Some(id) => initiatives::authors(conn, id)?
            .into_iter()
            .filter(|a| a.user_id != author_id)
            .map(|a| (a.user_id, a.share_percent))
            .collect(),
        None => Vec::new(),
    };
    let invited = match initiative_id {
        Some(id) => q::for_initiative(conn, id)?,
        None => Vec::new(),
    };
    let current_author_share = match initiative_id {
        Some(id) => initiatives::authors(conn, id)?
            .into_iter()
            .find(|a| a.user_id == author_id)
            .map(|a| a.share_percent),
        None => None,
    };
    let mut entries = Vec::new();
    match list {
        None => {
            for (user_id, share) in &accepted {
                entries.push(Entry::Accepted {
                    user_id: *user_id,
                    share: *share,
                });
            }
            for row in &invited {
                entries.push(Entry::Invited {
                    share: row.share_percent,
                    row: row.clone(),
                    reinvite: false,
                });
            }
        }
        Some(list) => {
            let mut problems = FieldErrors::new();
            for (i, c) in list.iter().enumerate() {
                match resolve(conn, actor, author_id, &c.who)? {
                    Resolved::Nobody => {
                        problems.insert(field(i), NOT_FOUND.to_owned());
                    }
                    Resolved::Author => {
                        problems.insert(field(i), SELF.to_owned());
                    }
                    Resolved::User { id, invited_as } => {
                        if accepted.iter().any(|(u, _)| *u == id) {
                            entries.push(Entry::Accepted {
                                user_id: id,
                                share: c.share_percent,
                            });
                        } else if let Some(row) = invited.iter().find(|r| r.user_id == id) {
                            entries.push(Entry::Invited {
                                row: row.clone(),
                                share: c.share_percent,
                                reinvite: c.reinvite,
                            });
                        } else if let Some(invited_as) = invited_as {
                            entries.push(Entry::New {
                                user_id: id,
                                invited_as,
                                share: c.share_percent,
                            });
                        } else {
                            problems.insert(field(i), NOT_FOUND.to_owned());
                        }
                    }
                }
            }
            if !problems.is_empty() {
                return Err(AppError::validation(problems));
            }
        }
    }
    let co_total: i32 = entries.iter().map(Entry::share).sum();
    let own = author_share
        .or(if list.is_none() {
            current_author_share
        } else {
            None
        })
        .unwrap_or((100 - co_total).max(1));
    let mut all = vec![(author_id, own)];
    all.extend(entries.iter().map(|e| (e.user_id(), e.share())));
    Shares::parse(all).map_err(|e| AppError::field("coauthors", e))?;
    Ok(Plan {
        author_id,
        author_share: own,
        entries,
    })
}

enum Resolved {
    /// Nobody the author may name (or nobody at all: the same answer).
    Nobody,
    /// The author themself.
    Author,
    /// A person; `invited_as` is what names them on a new invitation, `None` when they were
    /// named by an id that only works for people already on the initiative.
    User { id: i64, invited_as: Option<String> },
}

fn resolve(
    conn: &mut DbConn,
    actor: &Actor,
    author_id: i64,
    who: &CoauthorRef,
) -> Result<Resolved, AppError> {
    let (user, named_exactly, invited_as) = match who {
        CoauthorRef::Login(login) => {
            let login = login.trim();
            if login.is_empty() {
                return Ok(Resolved::Nobody);
            }
            // `#id` is how an invitation made by id shows on the form: the rule of an id.
            match login.strip_prefix('#').and_then(|n| n.parse::<i64>().ok()) {
                Some(id) => (users::find(conn, id)?, false, format!("#{id}")),
                None => (users::find_by_login(conn, login)?, true, login.to_owned()),
            }
        }
        CoauthorRef::Id(id) => (users::find(conn, *id)?, false, format!("#{id}")),
    };
    let Some(user) = user else {
        return Ok(Resolved::Nobody);
    };
    if user.id == author_id {
        return Ok(Resolved::Author);
    }
    let union_path = match crate::db::unions::find(conn, user.union_id)? {
        Some(u) => UnionPath::from_stored(u.path),
        None => return Ok(Resolved::Nobody),
    };
    let eligible = UserStatus::parse(&user.status) == UserStatus::Active
        && takes_part(
            users::grants(conn, user.id)?
                .iter()
                .filter_map(|g| Role::parse(&g.role)),
        );
    let may_name = can(
        actor,
        Action::InviteCoauthor,
        Resource::Invitee {
            id: user.id,
            union_path: &union_path,
            eligible,
            named_exactly,
        },
    );
    // People already on the initiative keep their place whatever names them.
    Ok(Resolved::User {
        id: user.id,
        invited_as: may_name.then_some(invited_as),
    })
}

/// What saving these co-authors' member codes or emails would answer for each, without
/// saving (the form reports every problem at once): `None` when the actor may name them,
/// otherwise why not — never a name.
pub async fn check_logins(
    db: &Db,
    actor: &Actor,
    logins: Vec<String>,
) -> Result<Vec<Option<String>>, AppError> {
    let actor = actor.clone();
    db.read(move |conn| {
        let mut out = Vec::with_capacity(logins.len());
        for login in logins {
            let who = CoauthorRef::Login(login);
            out.push(match resolve(conn, &actor, actor.user_id, &who)? {
                Resolved::User {
                    invited_as: Some(_),
                    ..
                } => None,
                Resolved::Author => Some(SELF.to_owned()),
                Resolved::Nobody | Resolved::User { .. } => Some(NOT_FOUND.to_owned()),
            });
        }
        Ok(out)
    })
    .await
}

/// Writes a plan for the initiative `initiative_id`: the authors (the submitting author and
/// the accepted co-authors), the invitations kept, re-sent or withdrawn, and the new ones
/// with their one email; each change in the audit log.
pub(crate) fn apply(
    conn: &mut DbConn,
    actor: &Actor,
    initiative_id: i64,
    plan: &Plan,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    let before_accepted: Vec<i64> = initiatives::authors(conn, initiative_id)?
        .into_iter()
        .map(|a| a.user_id)
        .filter(|u| *u != plan.author_id)
        .collect();
    let before_invited = q::for_initiative(conn, initiative_id)?;
    let mut authors = vec![(plan.author_id, plan.author_share)];
    for e in &plan.entries {
        if let Entry::Accepted { user_id, share } = e {
            authors.push((*user_id, *share));
        }
    }
    initiatives::set_authors(conn, initiative_id, &authors)?;
    for gone in before_accepted
        .iter()
        .filter(|u| !authors.iter().any(|(a, _)| a == *u))
    {
        record(
            conn,
            actor.user_id,
            initiative_id,
            "coauthor_removed",
            None,
            None,
            Some(&format!("Bỏ tên đồng tác giả (tài khoản #{gone}).")),
        )?;
    }
    for row in &before_invited {
        if !plan
            .entries
            .iter()
            .any(|e| matches!(e, Entry::Invited { row: r, .. } if r.id == row.id))
        {
            q::delete(conn, row.id)?;
            record(
                conn,
                actor.user_id,
                initiative_id,
                "coauthor_withdrawn",
                None,
                None,
                Some(&format!(
                    "Rút lời mời đồng tác giả (tài khoản #{}).",
                    row.user_id
                )),
            )?;
        }
    }
    for e in &plan.entries {
        match e {
            Entry::Accepted { .. } => {}
            Entry::Invited {
                row,
                share,
                reinvite,
            } => {
                if *share != row.share_percent {
                    q::set_share(conn, row.id, *share)?;
                }
                if *reinvite
                    && row.status == InvitationStatus::Declined.as_str()
                    && q::set_status(
                        conn,
                        row.id,
                        InvitationStatus::Declined.as_str(),
                        InvitationStatus::Pending.as_str(),
                        None,
                    )?
                {
                    invited(conn, actor, initiative_id, row.user_id, *share, now)?;
                }
            }
            Entry::New {
                user_id,
                invited_as,
                share,
            } => {
                q::insert(
                    conn,
                    initiative_id,
                    *user_id,
                    invited_as,
                    *share,
                    actor.user_id,
                    now,
                )?;
                invited(conn, actor, initiative_id, *user_id, *share, now)?;
            }
        }
    }
    Ok(())
}

/// Records an invitation and writes its email (once per initiative and person, ever: a
/// re-invitation shows in their list but sends no second email).
fn invited(
    conn: &mut DbConn,
    actor: &Actor,
    initiative_id: i64,
    user_id: i64,
    share: i32,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    record(
        conn,
        actor.user_id,
        initiative_id,
        "coauthor_invited",
        None,
        None,
        Some(&format!(
            "Mời đồng tác giả (tài khoản #{user_id}, tỷ lệ {share}%), chờ xác nhận."
        )),
    )?;
    crate::service::shared::letters::coauthor_invited(conn, initiative_id, user_id, now)
}

/// How many invitations of the initiative still wait for an answer.
pub(crate) fn pending_count(conn: &mut DbConn, initiative_id: i64) -> Result<i64, AppError> {
    Ok(q::count_pending(conn, initiative_id)?)
}

/// The invitations waiting for the actor's answer.
pub async fn mine(db: &Db, actor: &Actor) -> Result<Vec<InvitationToMe>, AppError> {
    let user = actor.user_id;
    db.read(move |conn| {
        Ok(q::pending_for(conn, user)?
            .into_iter()
            .map(|r| InvitationToMe {
                initiative_id: r.initiative_id,
                title: r.title,
                program_name: r.program_name,
                author_name: r.author_name,
                union_name: r.union_name,
                share_percent: r.share_percent,
                invited_at: r.created_at.and_utc(),
            })
            .collect())
    })
    .await
}

/// The actor's pending invitation to `initiative_id`; 404 when there is none to answer.
fn answerable(
    conn: &mut DbConn,
    actor: &Actor,
    initiative_id: i64,
) -> Result<(InvitationRow, InitiativeRow), AppError> {
    let row = q::find(conn, initiative_id, actor.user_id)?.ok_or_else(AppError::not_found)?;
    let status = InvitationStatus::from_stored(&row.status)?;
    if !can(
        actor,
        Action::AnswerCoauthorInvitation,
        Resource::CoauthorInvitation {
            invitee: row.user_id,
            status,
        },
    ) {
        return Err(AppError::not_found());
    }
    let initiative = initiatives::find(conn, initiative_id)?.ok_or_else(AppError::not_found)?;
    if !status_of(&initiative)?.is_editable() {
        return Err(AppError::new(ErrorCode::InvalidState)
            .with_message("Sáng kiến đã được nộp; lời mời không còn hiệu lực."));
    }
    Ok((row, initiative))
}

/// Accepts an invitation: the actor becomes a co-author with the proposed share, and reads
/// the initiative from now on.
#[tracing::instrument(skip_all, fields(actor = actor.user_id, initiative = initiative_id))]
pub async fn accept(
    db: &Db,
    actor: &Actor,
    initiative_id: i64,
) -> Result<InitiativeView, AppError> {
    let actor = actor.clone();
    db.write(move |conn| {
        let (invitation, _) = answerable(conn, &actor, initiative_id)?;
        if !q::delete(conn, invitation.id)? {
            return Err(AppError::not_found());
        }
        q::add_author(conn, initiative_id, actor.user_id, invitation.share_percent)?;
        record(
            conn,
            actor.user_id,
            initiative_id,
            "coauthor_accepted",
            None,
            None,
            Some("Đồng tác giả xác nhận tham gia."),
        )?;
        let (row, _, _) = load(conn, initiative_id)?;
        view_for(conn, &actor, row)
    })
    .await
}

/// Declines an invitation: the author sees it declined, and may remove or re-invite.
#[tracing::instrument(skip_all, fields(actor = actor.user_id, initiative = initiative_id))]
pub async fn decline(db: &Db, actor: &Actor, initiative_id: i64) -> Result<(), AppError> {
    let actor = actor.clone();
    db.write(move |conn| {
        let (invitation, _) = answerable(conn, &actor, initiative_id)?;
        if !q::set_status(
            conn,
            invitation.id,
            InvitationStatus::Pending.as_str(),
            InvitationStatus::Declined.as_str(),
            Some(db::now()),
        )? {
            return Err(AppError::not_found());
        }
        record(
            conn,
            actor.user_id,
            initiative_id,
            "coauthor_declined",
            None,
            None,
            Some("Người được mời từ chối làm đồng tác giả."),
        )
    })
    .await
}
