//! The accounts file that `seed` writes and `run` reads (`load-accounts.json`).

use serde::{Deserialize, Serialize};

/// An officer and the union whose dashboard they open.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Officer {
    /// Email or member code.
    pub login: String,
    /// The union they oversee (their dashboard).
    pub union_id: i64,
}

/// Who may sign in, with what, and on which program they work.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AccountFile {
    /// The one password of every account in the file.
    pub password: String,
    /// The open program members file into.
    pub program_id: i64,
    /// Its fields (lĩnh vực); drafts pick one.
    pub fields: Vec<i64>,
    /// Members (they draft, check and submit).
    pub members: Vec<String>,
    /// Committee members with initiatives assigned to them.
    #[serde(default)]
    pub reviewers: Vec<String>,
    /// Union officers and their union.
    #[serde(default)]
    pub officers: Vec<Officer>,
}

impl AccountFile {
    /// Reads the file.
    pub fn read(path: &std::path::Path) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("reading {}: {e}", path.display()))?;
        let file: Self = serde_json::from_str(&text)
            .map_err(|e| anyhow::anyhow!("parsing {}: {e}", path.display()))?;
        anyhow::ensure!(
            !file.members.is_empty(),
            "{} lists no members",
            path.display()
        );
        anyhow::ensure!(
            !file.fields.is_empty(),
            "{} lists no fields",
            path.display()
        );
        Ok(file)
    }
}
