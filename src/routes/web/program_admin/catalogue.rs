//! A program's phases and fields: added, changed, renamed, removed.

use super::*;

/// A phase's form (add or change).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PhaseForm {
    pub name: String,
    pub opens_at: String,
    pub closes_at: String,
}

/// The new-field form (a blank code is made from the name).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct FieldForm {
    pub field_name: String,
    pub field_code: String,
}

/// A field's new name.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RenameForm {
    pub name: String,
}

pub(super) fn phase_values(p: PhaseForm) -> PhaseValues {
    PhaseValues {
        name: p.name,
        opens: p.opens_at,
        closes: p.closes_at,
    }
}

/// The phase as the API's check sees it, with problems under `prefix`.
pub(super) fn phase_input(
    problems: &mut FieldProblems,
    prefix: &str,
    v: &PhaseValues,
) -> Result<service::programs::PhaseInput, AppError> {
    let opens = moment(problems, &format!("{prefix}opens"), &v.opens);
    let closes = moment(problems, &format!("{prefix}closes"), &v.closes);
    let mut c = Checker::default();
    let input = match (opens, closes) {
        (Some(opens_at), Some(closes_at)) => crate::service::input::programs::phase(
            &mut c,
            "phase",
            &PhaseBody {
                name: v.name.clone(),
                opens_at,
                closes_at,
            },
        ),
        _ => None,
    };
    c.finish()?;
    match input {
        Some(i) if problems.is_empty() => Ok(i),
        _ => Err(AppError::validation(std::collections::BTreeMap::new())
            .with_message("Một số ô chưa hợp lệ.")),
    }
}

pub(super) fn phase_place(prefix: &str) -> impl Fn(&str) -> String + '_ {
    move |k: &str| match k {
        "phase.name" => format!("{prefix}name"),
        "phase.closes_at" => format!("{prefix}closes"),
        "phase.opens_at" => format!("{prefix}opens"),
        _ => format!("{prefix}window"),
    }
}

/// `POST /quan-tri/chuong-trinh/{id}/dot`: adds a phase.
#[post("/quan-tri/chuong-trinh/{id}/dot")]
pub async fn add_phase(
    state: web::Data<AppState>,
    path: web::Path<i64>,
    f: SignedInForm<PhaseForm>,
) -> Result<HttpResponse, PageError> {
    let (visitor, me, p) = f.into_parts();
    let id = path.into_inner();
    let v = phase_values(p);
    let mut problems = FieldProblems::default();
    let result = match phase_input(&mut problems, "new_phase_", &v) {
        Ok(input) => service::programs::add_phase(&state.db, &me.actor, id, input)
            .await
            .map(|_| ()),
        Err(e) => Err(e),
    };
    answer(result, (&program_path(id), "1", "phases"), |e| {
        let typed = Typed {
            new_phase: Some(v),
            ..Typed::default()
        };
        refused(
            &state,
            &visitor,
            &me,
            id,
            e,
            problems,
            phase_place("new_phase_"),
            typed,
        )
    })
    .await
}

/// `POST /quan-tri/chuong-trinh/{id}/dot/{phase}`: changes a phase's name and window.
#[post("/quan-tri/chuong-trinh/{id}/dot/{phase}")]
pub async fn update_phase(
    state: web::Data<AppState>,
    path: web::Path<(i64, i64)>,
    f: SignedInForm<PhaseForm>,
) -> Result<HttpResponse, PageError> {
    let (visitor, me, p) = f.into_parts();
    let (id, phase_id) = path.into_inner();
    let v = phase_values(p);
    let prefix = format!("phase{phase_id}_");
    let mut problems = FieldProblems::default();
    let result = match phase_input(&mut problems, &prefix, &v) {
        Ok(input) => service::programs::update_phase(&state.db, &me.actor, id, phase_id, input)
            .await
            .map(|_| ()),
        Err(e) => Err(e),
    };
    answer(result, (&program_path(id), "1", "phases"), |e| {
        let typed = Typed {
            phase: Some((phase_id, v)),
            ..Typed::default()
        };
        refused(
            &state,
            &visitor,
            &me,
            id,
            e,
            problems,
            phase_place(&prefix),
            typed,
        )
    })
    .await
}

/// `POST /quan-tri/chuong-trinh/{id}/linh-vuc`: adds a field.
#[post("/quan-tri/chuong-trinh/{id}/linh-vuc")]
pub async fn add_field(
    state: web::Data<AppState>,
    path: web::Path<i64>,
    f: SignedInForm<FieldForm>,
) -> Result<HttpResponse, PageError> {
    let (visitor, me, p) = f.into_parts();
    let id = path.into_inner();
    let name = p.field_name;
    let code = match p.field_code.trim() {
        "" => slug(&name),
        c => c.to_owned(),
    };
    let mut c = Checker::default();
    let input = crate::service::input::programs::field(
        &mut c,
        "field",
        &FieldBody {
            code: code.clone(),
            name: name.clone(),
        },
    );
    let result = match c.finish() {
        Ok(()) => service::programs::add_field(&state.db, &me.actor, id, input)
            .await
            .map(|_| ()),
        Err(e) => Err(e),
    };
    answer(result, (&program_path(id), "1", "fields"), |e| {
        let mut problems = FieldProblems::default();
        if e.code == ErrorCode::AlreadyExists {
            problems.add("field_code", e.message.clone());
        }
        let typed = Typed {
            new_field: Some((p.field_code, name)),
            ..Typed::default()
        };
        let place = |k: &str| match k {
            "field.code" => "field_code".to_owned(),
            _ => "field_name".to_owned(),
        };
        refused(&state, &visitor, &me, id, e, problems, place, typed)
    })
    .await
}

/// `POST /quan-tri/chuong-trinh/{id}/linh-vuc/{field}`: renames a field (its code stays).
#[post("/quan-tri/chuong-trinh/{id}/linh-vuc/{field}")]
pub async fn rename_field(
    state: web::Data<AppState>,
    path: web::Path<(i64, i64)>,
    f: SignedInForm<RenameForm>,
) -> Result<HttpResponse, PageError> {
    let (visitor, me, p) = f.into_parts();
    let (id, field_id) = path.into_inner();
    match service::programs::rename_field(&state.db, &me.actor, id, field_id, p.name).await {
        Ok(_) => Ok(back(&program_path(id), "1", "fields")),
        Err(e) => {
            refused_at(
                &state,
                &visitor,
                &me,
                id,
                e,
                format!("field{field_id}_name"),
            )
            .await
        }
    }
}

/// `POST /quan-tri/chuong-trinh/{id}/linh-vuc/{field}/xoa`: after confirmation, removes a
/// field no initiative names.
#[post("/quan-tri/chuong-trinh/{id}/linh-vuc/{field}/xoa")]
pub async fn remove_field(
    state: web::Data<AppState>,
    path: web::Path<(i64, i64)>,
    f: SignedInForm<Confirmation>,
) -> Result<HttpResponse, PageError> {
    let (visitor, me, p) = f.into_parts();
    let (id, field_id) = path.into_inner();
    if !p.given() {
        let program = service::programs::get(&state.db, &me.actor, id).await?;
        service::programs::require_managed(&state.db, &me.actor, id).await?;
        let field = program
            .fields
            .iter()
            .find(|f| f.id == field_id)
            .ok_or_else(AppError::not_found)?;
        return confirm(
            &visitor,
            format!("Xoá lĩnh vực “{}”?", field.name),
            "Chỉ xoá được lĩnh vực chưa có sáng kiến nào (kể cả bản nháp). Việc này được ghi vào nhật ký.",
            format!("/quan-tri/chuong-trinh/{id}/linh-vuc/{field_id}/xoa"),
            &p,
            "Xoá lĩnh vực",
            format!("/quan-tri/chuong-trinh/{id}#fields"),
        );
    }
    match service::programs::remove_field(&state.db, &me.actor, id, field_id).await {
        Ok(_) => Ok(back(&program_path(id), "1", "fields")),
        Err(e) => {
            refused_at(
                &state,
                &visitor,
                &me,
                id,
                e,
                format!("field{field_id}_name"),
            )
            .await
        }
    }
}

/// `POST /quan-tri/chuong-trinh/{id}/dot/{phase}/xoa`: after confirmation, removes a phase
/// that nothing names and that has not begun on a program that has run.
#[post("/quan-tri/chuong-trinh/{id}/dot/{phase}/xoa")]
pub async fn remove_phase(
    state: web::Data<AppState>,
    path: web::Path<(i64, i64)>,
    f: SignedInForm<Confirmation>,
) -> Result<HttpResponse, PageError> {
    let (visitor, me, p) = f.into_parts();
    let (id, phase_id) = path.into_inner();
    if !p.given() {
        let program = service::programs::get(&state.db, &me.actor, id).await?;
        service::programs::require_managed(&state.db, &me.actor, id).await?;
        let phase = program
            .phases
            .iter()
            .find(|ph| ph.id == phase_id)
            .ok_or_else(AppError::not_found)?;
        return confirm(
            &visitor,
            format!("Xoá “{}” của “{}”?", phase.name, program.name),
            "Chỉ xoá được đợt chưa có sáng kiến hay chỉ tiêu nào, và chưa bắt đầu nếu chương trình đã diễn ra. Các đợt sau được đánh số lại. Việc này được ghi vào nhật ký.",
            format!("/quan-tri/chuong-trinh/{id}/dot/{phase_id}/xoa"),
            &p,
            "Xoá đợt",
            format!("/quan-tri/chuong-trinh/{id}#phases"),
        );
    }
    match service::programs::remove_phase(&state.db, &me.actor, id, phase_id).await {
        Ok(_) => Ok(back(&program_path(id), "1", "phases")),
        Err(e) => {
            refused_at(
                &state,
                &visitor,
                &me,
                id,
                e,
                format!("phase{phase_id}_window"),
            )
            .await
        }
    }
}

/// The program page again with `e`'s problem beside the one input `field` (a row's own
/// form: a field renamed or removed, a phase removed).
async fn refused_at(
    state: &AppState,
    visitor: &Visitor,
    me: &Identity,
    id: i64,
    e: AppError,
    field: String,
) -> Result<HttpResponse, PageError> {
    let place = move |_: &str| field.clone();
    refused(
        state,
        visitor,
        me,
        id,
        e,
        FieldProblems::default(),
        place,
        Typed::default(),
    )
    .await
}
