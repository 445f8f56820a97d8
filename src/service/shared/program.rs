//! A program as the use cases load it: its status, its owner's place in the tree, and the
//! program an actor may manage.

use crate::db::programs::{self, ProgramRow};
use crate::db::{DbConn, unions};
use crate::domain::{Action, Actor, ProgramStatus, Resource, Stored, UnionPath, can};
use crate::error::AppError;

/// The program's status (an unknown stored name is an error, never a guess).
pub(crate) fn status_of(row: &ProgramRow) -> Result<ProgramStatus, AppError> {
    Ok(ProgramStatus::from_stored(&row.status)?)
}

pub(crate) fn owner_path(conn: &mut DbConn, row: &ProgramRow) -> Result<UnionPath, AppError> {
    let owner = unions::find(conn, row.owner_union_id)?.ok_or_else(AppError::not_found)?;
    Ok(UnionPath::from_stored(owner.path))
}

/// Loads a program the actor may manage.
pub(crate) fn load_managed(
    conn: &mut DbConn,
    actor: &Actor,
    id: i64,
) -> Result<ProgramRow, AppError> {
    let row = programs::find(conn, id)?.ok_or_else(AppError::not_found)?;
    let path = owner_path(conn, &row)?;
    let status = status_of(&row)?;
    if !can(
        actor,
        Action::ViewProgram,
        Resource::Program {
            owner_path: &path,
            status,
        },
    ) {
        return Err(AppError::not_found());
    }
    if !can(
        actor,
        Action::ManageProgram,
        Resource::Program {
            owner_path: &path,
            status,
        },
    ) {
        return Err(AppError::forbidden());
    }
    Ok(row)
}
