//! The programs an administrator runs, and a new program (with its first phases and fields).

use super::*;

/// One program in the list.
#[derive(Debug, Clone)]
pub struct ProgramLine {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub status: &'static str,
    pub status_code: &'static str,
    pub phases: String,
}

/// The list of programs.
#[derive(Template)]
#[template(path = "program_list.html")]
pub struct ListPage {
    pub chrome: Chrome,
    pub programs: Vec<ProgramLine>,
}

/// `GET /quan-tri/chuong-trinh`: the programs the user administers.
#[get("/quan-tri/chuong-trinh")]
pub async fn list(state: web::Data<AppState>, visitor: Visitor) -> Result<HttpResponse, PageError> {
    let me = visitor.require()?;
    ProgramAdmins::check(me)?;
    let programs = service::programs::managed(&state.db, &me.actor).await?;
    let programs = programs
        .into_iter()
        .map(|p| ProgramLine {
            phases: p
                .phases
                .iter()
                .map(|ph| format!("{}: {}", ph.name, window_text(ph.opens_at, ph.closes_at)))
                .collect::<Vec<_>>()
                .join("; "),
            id: p.id,
            code: p.code,
            name: p.name,
            status: p.status.label(),
            status_code: p.status.as_str(),
        })
        .collect();
    render(
        StatusCode::OK,
        &ListPage {
            chrome: Chrome::of(&visitor, "admin"),
            programs,
        },
    )
}

/// The new-program form as typed.
#[derive(Debug, Clone, Default)]
pub struct NewValues {
    pub code: String,
    pub name: String,
    pub description: String,
    pub owner_code: String,
    pub applied_from: String,
    pub applied_to: String,
    pub target_count: String,
    pub phases: Vec<PhaseValues>,
    pub fields: String,
}

/// The new-program page.
#[derive(Template)]
#[template(path = "program_new.html")]
pub struct NewPage {
    pub chrome: Chrome,
    pub notice: Option<(&'static str, String)>,
    pub v: NewValues,
    pub problems: FieldProblems,
}

impl NewPage {
    /// The problem of a field.
    pub fn problem<S: AsRef<str>>(&self, name: S) -> Option<&str> {
        self.problems.get(name.as_ref())
    }
}

/// The code of the union the actor administers programs for (the first grant's), as a
/// default owner.
pub(super) async fn default_owner(state: &AppState, me: &Identity) -> String {
    let Some(id) = program_admin_home(&me.actor).and_then(|p| p.ids().last().copied()) else {
        return String::new();
    };
    service::unions::get(&state.db, &me.actor, id)
        .await
        .map(|u| u.code)
        .unwrap_or_default()
}

/// `GET /quan-tri/chuong-trinh/moi`: the new-program form.
#[get("/quan-tri/chuong-trinh/moi")]
pub async fn new_form(
    state: web::Data<AppState>,
    visitor: Visitor,
) -> Result<HttpResponse, PageError> {
    let me = visitor.require()?;
    ProgramAdmins::check(me)?;
    let v = NewValues {
        owner_code: default_owner(&state, me).await,
        phases: vec![PhaseValues::default(), PhaseValues::default()],
        ..NewValues::default()
    };
    render(
        StatusCode::OK,
        &NewPage {
            chrome: Chrome::of(&visitor, "admin"),
            notice: None,
            v,
            problems: FieldProblems::default(),
        },
    )
}

/// Where a problem reported by the API's checks goes on the page.
pub(super) fn new_form_field(api_field: &str) -> String {
    if let Some(rest) = api_field.strip_prefix("phases[") {
        let (i, part) = rest.split_once("].").unwrap_or((rest, "name"));
        let part = match part {
            "closes_at" => "closes",
            "opens_at" => "opens",
            _ => "name",
        };
        return format!("phase{}_{part}", i.trim_end_matches(']'));
    }
    if api_field.starts_with("fields") {
        return "fields".to_owned();
    }
    match api_field {
        "owner_union_id" => "owner_code".to_owned(),
        other => other.to_owned(),
    }
}

/// The new-program form: the program, its first two phases, its fields (one a line).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NewProgramForm {
    pub code: String,
    pub name: String,
    pub description: String,
    pub owner_code: String,
    pub applied_from: String,
    pub applied_to: String,
    pub target_count: String,
    pub phase0_name: String,
    pub phase0_opens: String,
    pub phase0_closes: String,
    pub phase1_name: String,
    pub phase1_opens: String,
    pub phase1_closes: String,
    pub fields: String,
}

pub(super) fn new_values(p: NewProgramForm) -> NewValues {
    NewValues {
        code: p.code,
        name: p.name,
        description: p.description,
        owner_code: p.owner_code,
        applied_from: p.applied_from,
        applied_to: p.applied_to,
        target_count: p.target_count,
        phases: vec![
            PhaseValues {
                name: p.phase0_name,
                opens: p.phase0_opens,
                closes: p.phase0_closes,
            },
            PhaseValues {
                name: p.phase1_name,
                opens: p.phase1_opens,
                closes: p.phase1_closes,
            },
        ],
        fields: p.fields,
    }
}

/// `POST /quan-tri/chuong-trinh`: creates the program (in draft) and goes to its page.
#[post("/quan-tri/chuong-trinh")]
pub async fn create(
    state: web::Data<AppState>,
    f: SignedInForm<NewProgramForm, ProgramAdmins>,
) -> Result<HttpResponse, PageError> {
    let (visitor, me, p) = f.into_parts();
    let v = new_values(p);
    let mut problems = FieldProblems::default();
    let owner = match v.owner_code.trim() {
        "" => {
            problems.add("owner_code", "Nhập mã đơn vị phát động.");
            None
        }
        code => {
            let id = service::unions::id_by_code(&state.db, code.to_owned()).await?;
            if id.is_none() {
                problems.add("owner_code", "Không có đơn vị nào mang mã này.");
            }
            id
        }
    };
    let applied_from = opt_date(&mut problems, "applied_from", &v.applied_from);
    let applied_to = opt_date(&mut problems, "applied_to", &v.applied_to);
    let target_count = opt_number(&mut problems, "target_count", &v.target_count);
    let mut phases = Vec::new();
    for (i, ph) in v.phases.iter().enumerate() {
        if ph.name.trim().is_empty() && ph.opens.trim().is_empty() && ph.closes.trim().is_empty() {
            continue;
        }
        let opens = moment(&mut problems, &format!("phase{i}_opens"), &ph.opens);
        let closes = moment(&mut problems, &format!("phase{i}_closes"), &ph.closes);
        if let (Some(opens_at), Some(closes_at)) = (opens, closes) {
            phases.push((
                i,
                PhaseBody {
                    name: ph.name.clone(),
                    opens_at,
                    closes_at,
                },
            ));
        }
    }
    let body = CreateProgram {
        code: v.code.clone(),
        name: v.name.clone(),
        description: v.description.clone(),
        owner_union_id: owner.unwrap_or(0),
        applied_from,
        applied_to,
        target_count,
        phases: phases.iter().map(|(_, b)| clone_phase(b)).collect(),
        fields: field_lines(&v.fields),
    };
    // The API's checks, with the phase rows' own numbers for the messages.
    let result = match parse_create(&body) {
        Ok(input) if problems.is_empty() => {
            service::programs::create(&state.db, Some(&me.actor), input).await
        }
        Ok(_) => Err(AppError::validation(std::collections::BTreeMap::new())),
        Err(e) => Err(e),
    };
    match result {
        Ok(view) => Ok(see_other(&format!(
            "/quan-tri/chuong-trinh/{}?da=tao",
            view.id
        ))),
        Err(e) if e.code.status().is_client_error() && e.code != ErrorCode::Forbidden => {
            for (k, msg) in FieldProblems::from_error(&e).0 {
                let k = match k.strip_prefix("phases[") {
                    Some(rest) => {
                        let (n, tail) = rest.split_once(']').unwrap_or((rest, ""));
                        let row = n
                            .parse::<usize>()
                            .ok()
                            .and_then(|n| phases.get(n))
                            .map_or(0, |(i, _)| *i);
                        new_form_field(&format!("phases[{row}]{tail}"))
                    }
                    None => new_form_field(&k),
                };
                problems.add(&k, msg);
            }
            if problems.is_empty() {
                problems.add("code", e.message.clone());
            }
            let page = NewPage {
                chrome: Chrome::of(&visitor, "admin"),
                notice: Some((
                    "error",
                    "Chưa tạo được chương trình: hãy sửa các ô được đánh dấu.".to_owned(),
                )),
                v,
                problems,
            };
            render(StatusCode::BAD_REQUEST, &page)
        }
        Err(e) => Err(e.into()),
    }
}

pub(super) fn clone_phase(b: &PhaseBody) -> PhaseBody {
    PhaseBody {
        name: b.name.clone(),
        opens_at: b.opens_at,
        closes_at: b.closes_at,
    }
}
