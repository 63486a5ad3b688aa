use payload::Text;
use std::fmt;

pub type HostResult<T> = Result<T, HostError>;

/// A host operation that did not happen. Messages name the object (key, user,
/// file) and never carry a secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostError {
    /// The object the operation needs does not exist (user, key, adapter).
    NotFound(String),
    /// The object exists already (creating a user twice).
    AlreadyExists(String),
    /// This host cannot do it at all (e.g. Wine and the Task Scheduler).
    Unsupported(Text),
    /// The OS refused or failed: `op` on `object` with the OS's reason.
    Failed {
        op: String,
        object: String,
        reason: String,
    },
}

impl HostError {
    pub fn failed(op: &str, object: &str, reason: impl fmt::Display) -> HostError {
        HostError::Failed {
            op: op.to_owned(),
            object: object.to_owned(),
            reason: reason.to_string(),
        }
    }
}

impl fmt::Display for HostError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = match self {
            HostError::NotFound(what) => Text::new(
                format!("見つかりません: {what}"),
                format!("not found: {what}"),
            ),
            HostError::AlreadyExists(what) => Text::new(
                format!("すでにあります: {what}"),
                format!("already exists: {what}"),
            ),
            HostError::Unsupported(why) => why.clone(),
            HostError::Failed { op, object, reason } => Text::new(
                format!("{op} に失敗しました ({object}): {reason}"),
                format!("{op} failed for {object}: {reason}"),
            ),
        };
        write!(f, "{text}")
    }
}

impl std::error::Error for HostError {}
