//! The initiative form's values: what the member typed (or what is stored), read from the
//! posted fields and turned into the service's draft, with each problem beside its field.

use super::*;

/// Co-author rows on the form.
pub const COAUTHOR_ROWS: usize = 4;

/// A choice in a select.
#[derive(Debug, Clone)]
pub struct Choice {
    pub id: i64,
    pub name: String,
    pub selected: bool,
}

/// A co-author row as typed (and, for a stored draft, where the co-author stands).
#[derive(Debug, Clone, Default)]
pub struct CoauthorValue {
    pub login: String,
    pub share: String,
    /// "Đã xác nhận", "Chờ xác nhận", "Đã từ chối", or empty for a row as typed.
    pub status: &'static str,
    /// The co-author's name, once they accepted (never before).
    pub name: String,
    /// They declined: the row offers to invite them again.
    pub declined: bool,
    /// Invite again (a declined co-author).
    pub reinvite: bool,
}

/// The form's values as the member typed them (or as stored).
#[derive(Debug, Clone, Default)]
pub struct FormValues {
    pub title: String,
    pub field_id: Option<i64>,
    pub coauthors: Vec<CoauthorValue>,
    pub author_share: String,
    pub first_applied_on: String,
    pub current_situation: String,
    pub solution: String,
    pub scope: String,
    pub benefits: String,
    pub benefit: String,
    pub confidential: bool,
}

impl FormValues {
    pub(super) fn from_view(v: &InitiativeView, logins: &[String]) -> Self {
        let mut coauthors: Vec<CoauthorValue> = v
            .authors
            .iter()
            .zip(logins)
            .skip(1)
            .map(|(a, login)| CoauthorValue {
                login: login.clone(),
                share: a.share_percent.to_string(),
                status: "Đã xác nhận",
                name: a.full_name.clone(),
                declined: false,
                reinvite: false,
            })
            .collect();
        coauthors.extend(v.coauthor_invitations.iter().map(|i| CoauthorValue {
            login: i.invited_as.clone(),
            share: i.share_percent.to_string(),
            status: i.status_name,
            name: String::new(),
            declined: i.status == InvitationStatus::Declined,
            reinvite: false,
        }));
        coauthors.resize(COAUTHOR_ROWS.max(coauthors.len()), CoauthorValue::default());
        Self {
            title: v.title.clone(),
            field_id: v.field_id,
            coauthors,
            author_share: v
                .authors
                .first()
                .map(|a| a.share_percent.to_string())
                .unwrap_or_default(),
            first_applied_on: v
                .first_applied_on
                .map(|d| d.format("%Y-%m-%d").to_string())
                .unwrap_or_default(),
            current_situation: v.current_situation.clone(),
            solution: v.solution.clone(),
            scope: v.scope.clone(),
            benefits: v.benefits.clone(),
            benefit: v
                .estimated_benefit_vnd
                .map(format::number)
                .unwrap_or_default(),
            confidential: v.confidential,
        }
    }

    pub(super) fn empty() -> Self {
        Self {
            coauthors: vec![CoauthorValue::default(); COAUTHOR_ROWS],
            author_share: "100".to_owned(),
            ..Self::default()
        }
    }
}

/// The initiative form, as name → value: its fields and a varying number of co-author rows
/// (`coauthor_login_{i}`, `coauthor_share_{i}`, `coauthor_reinvite_{i}`), read into
/// [`FormValues`] by `Posted::values`.
#[derive(Debug, Default, Deserialize)]
#[serde(transparent)]
pub struct Posted(HashMap<String, String>);

impl Posted {
    pub(super) fn get(&self, name: &str) -> String {
        self.0.get(name).cloned().unwrap_or_default()
    }

    pub(super) fn values(&self) -> FormValues {
        let rows = (0..)
            .take_while(|i| {
                *i < COAUTHOR_ROWS || self.0.contains_key(&format!("coauthor_login_{i}"))
            })
            .count()
            .min(50);
        let coauthors = (0..rows)
            .map(|i| CoauthorValue {
                login: self.get(&format!("coauthor_login_{i}")).trim().to_owned(),
                share: self.get(&format!("coauthor_share_{i}")).trim().to_owned(),
                reinvite: !self.get(&format!("coauthor_reinvite_{i}")).is_empty(),
                ..CoauthorValue::default()
            })
            .collect();
        FormValues {
            title: self.get("title"),
            field_id: self.get("field_id").trim().parse().ok(),
            coauthors,
            author_share: self.get("author_share_percent").trim().to_owned(),
            first_applied_on: self.get("first_applied_on").trim().to_owned(),
            current_situation: self.get("current_situation"),
            solution: self.get("solution"),
            scope: self.get("scope"),
            benefits: self.get("benefits"),
            benefit: self.get("estimated_benefit_vnd").trim().to_owned(),
            confidential: matches!(self.get("confidential").as_str(), "on" | "1" | "true"),
        }
    }

    pub(super) fn action(&self) -> &str {
        self.0.get("action").map_or("save", String::as_str)
    }
}

/// A date typed as `yyyy-mm-dd` (the date input) or `dd/mm/yyyy` (by hand).
pub(super) fn parse_date(s: &str) -> Result<Option<NaiveDate>, ()> {
    if s.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(s, "%d/%m/%Y"))
        .map(Some)
        .map_err(|_| ())
}

/// The rows of co-authors that were filled in, by their place on the form: the API body's
/// `coauthors[k]` is row `filled_rows(v)[k]`.
pub(super) fn filled_rows(v: &FormValues) -> Vec<usize> {
    v.coauthors
        .iter()
        .enumerate()
        .filter(|(_, c)| !c.login.is_empty() || !c.share.is_empty())
        .map(|(i, _)| i)
        .collect()
}

/// The problems of an answer, each beside its field: a co-author's (`coauthors.k`) beside
/// the row it was typed in.
pub(super) fn problems_of(e: &AppError, v: &FormValues) -> FieldProblems {
    let rows = filled_rows(v);
    let mut out = FieldProblems::default();
    for (k, problem) in FieldProblems::from_error(e).0 {
        let field = k
            .strip_prefix("coauthors.")
            .and_then(|n| n.parse::<usize>().ok())
            .and_then(|n| rows.get(n))
            .map_or(k.clone(), |row| format!("coauthor_login_{row}"));
        out.add(&field, problem);
    }
    out
}

/// Turns the typed values into the API's draft body; co-authors' member codes or emails are
/// checked under the same rule as saving (exact match, no names), and problems are reported
/// per field. Without `with_coauthors` (the autosave) the co-authors are left as stored:
/// naming someone sends them an email, which a pause in typing must not do.
pub(super) async fn to_body(
    state: &AppState,
    me: &Identity,
    v: &FormValues,
    with_coauthors: bool,
) -> Result<DraftBody, FieldProblems> {
    let mut problems = FieldProblems::default();
    let field_id = v.field_id;
    let first_applied_on = parse_date(&v.first_applied_on).unwrap_or_else(|()| {
        problems.add(
            "first_applied_on",
            "Ngày không hợp lệ; hãy nhập theo dạng ngày/tháng/năm.",
        );
        None
    });
    let benefit = format::parse_vnd(&v.benefit).unwrap_or_else(|_| {
        problems.add(
            "estimated_benefit_vnd",
            "Giá trị làm lợi chỉ gồm chữ số, ví dụ 150.000.000.",
        );
        None
    });
    let author_share = if v.author_share.is_empty() {
        None
    } else {
        match v.author_share.trim_end_matches('%').trim().parse::<i32>() {
            Ok(n) => Some(n),
            Err(_) => {
                problems.add("author_share_percent", "Tỷ lệ là một số từ 1 đến 100.");
                None
            }
        }
    };
    let rows: Vec<(usize, &CoauthorValue)> = filled_rows(v)
        .into_iter()
        .filter(|_| with_coauthors)
        .filter_map(|i| Some((i, v.coauthors.get(i)?)))
        .collect();
    let logins: Vec<String> = rows.iter().map(|(_, c)| c.login.clone()).collect();
    let checked = match service::coauthors::check_logins(&state.db, &me.actor, logins).await {
        Ok(checked) => checked,
        Err(_) => vec![None; rows.len()],
    };
    let mut coauthors = Vec::new();
    for ((i, c), problem) in rows.iter().zip(checked) {
        let login_field = format!("coauthor_login_{i}");
        let share_field = format!("coauthor_share_{i}");
        if c.login.is_empty() {
            problems.add(
                &login_field,
                "Nhập mã đoàn viên hoặc email của đồng tác giả.",
            );
            continue;
        }
        let share = c.share.trim_end_matches('%').trim().parse::<i32>();
        let Ok(share) = share.map_err(|_| ()).and_then(|s| {
            if (1..=99).contains(&s) {
                Ok(s)
            } else {
                Err(())
            }
        }) else {
            problems.add(&share_field, "Tỷ lệ đóng góp từ 1% đến 99%.");
            continue;
        };
        match problem {
            Some(problem) => problems.add(&login_field, problem),
            None => coauthors.push(CoauthorBody {
                login: Some(c.login.clone()),
                user_id: None,
                share_percent: share,
                reinvite: c.reinvite,
            }),
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(DraftBody {
        phase_id: None,
        field_id: Some(field_id),
        title: Some(v.title.clone()),
        current_situation: Some(v.current_situation.clone()),
        solution: Some(v.solution.clone()),
        scope: Some(v.scope.clone()),
        benefits: Some(v.benefits.clone()),
        first_applied_on: Some(first_applied_on),
        estimated_benefit_vnd: Some(benefit),
        confidential: Some(v.confidential),
        coauthors: with_coauthors.then_some(coauthors),
        author_share_percent: author_share.filter(|_| with_coauthors),
    })
}

/// The typed values as a validated draft, or the problems.
pub(super) async fn draft_input(
    state: &AppState,
    me: &Identity,
    v: &FormValues,
    with_coauthors: bool,
) -> Result<crate::service::initiatives::DraftInput, AppError> {
    let body = to_body(state, me, v, with_coauthors)
        .await
        .map_err(|problems| AppError::validation(problems.0))?;
    parse(body)
}

/// The form again, with what was typed and why it was not accepted.
pub(super) fn form_again(
    state: &AppState,
    visitor: &Visitor,
    ctx: FormContext,
    values: FormValues,
    e: &AppError,
) -> Result<HttpResponse, PageError> {
    let problems = problems_of(e, &values);
    render(
        StatusCode::UNPROCESSABLE_ENTITY,
        &form_page(state, visitor, ctx, values, problems, Some(notice_for(e))),
    )
}
