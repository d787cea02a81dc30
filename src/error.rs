//! Typed errors of the library. Nothing here prints; the CLI decides how to show them.

use std::path::PathBuf;

/// A problem in a scenario file, with its position.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}:{line}:{column}: {field}: {message}", file.display())]
pub struct ScenarioError {
    /// The scenario file.
    pub file: PathBuf,
    /// 1-based line of the offending text.
    pub line: usize,
    /// 1-based column (in characters) of the offending text.
    pub column: usize,
    /// Dotted path of the field, e.g. `deployment.a100.gpu_hour_usd`.
    pub field: String,
    /// What is wrong and what would be valid.
    pub message: String,
}

/// Every error the library returns.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The scenario file is invalid (user input: the CLI exits with status 2).
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    /// An input path could not be read (user input: exit status 2).
    #[error("{}: cannot read: {cause}", path.display())]
    ReadInput {
        /// The path given.
        path: PathBuf,
        /// The underlying error.
        cause: std::io::Error,
    },
    /// A command-line setting is out of range (user input: exit status 2).
    #[error("{0}")]
    Usage(String),
    /// Writing an output failed.
    #[error("{}: cannot write: {cause}", path.display())]
    WriteOutput {
        /// The file or folder being written.
        path: PathBuf,
        /// The underlying error.
        cause: std::io::Error,
    },
    /// The CSV writer failed.
    #[error("{}: cannot write CSV: {cause}", path.display())]
    Csv {
        /// The file being written.
        path: PathBuf,
        /// The underlying error.
        cause: csv::Error,
    },
    /// Drawing a plot failed.
    #[error("cannot draw the plot {name}: {message}")]
    Plot {
        /// The plot's file name, e.g. `cost_ecdf.svg`.
        name: String,
        /// What the plotting library said.
        message: String,
    },
}

impl Error {
    /// True when the error is the user's input (scenario, path, setting)
    /// rather than the machine's; the CLI exits with status 2 for these.
    pub fn is_user_input(&self) -> bool {
        matches!(
            self,
            Error::Scenario(_) | Error::ReadInput { .. } | Error::Usage(_)
        )
    }
}

/// Result with the library's [`Error`].
pub type Result<T> = std::result::Result<T, Error>;
