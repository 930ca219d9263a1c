//! What a service call can fail with. The web layer maps each to an HTTP
//! status, a stable code for the API and a message for people.

use musubi_domain::{Denial, DomainError};
use musubi_storage::StorageError;

/// One field's problem, in both languages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: &'static str,
    pub code: &'static str,
    pub message_ja: String,
    pub message_en: String,
}

/// Collects field errors so a form reports all of them at once.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldErrors(pub Vec<FieldError>);

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(
        &mut self,
        field: &'static str,
        code: &'static str,
        ja: impl Into<String>,
        en: impl Into<String>,
    ) {
        self.0.push(FieldError {
            field,
            code,
            message_ja: ja.into(),
            message_en: en.into(),
        });
    }

    /// Records a domain error for `field`.
    pub fn domain(&mut self, field: &'static str, e: &dyn DomainError) {
        self.add(field, e.code(), e.message_ja(), e.to_string());
    }

    /// Checks a required text field's length (in characters).
    pub fn text(
        &mut self,
        field: &'static str,
        label_ja: &str,
        label_en: &str,
        value: &str,
        max: usize,
    ) {
        let n = value.trim().chars().count();
        if n == 0 {
            self.add(
                field,
                "required",
                format!("{label_ja}を入力してください。"),
                format!("Please enter the {label_en}."),
            );
        } else if n > max {
            self.add(
                field,
                "too_long",
                format!("{label_ja}は{max}文字以内で入力してください。"),
                format!("The {label_en} must be at most {max} characters."),
            );
        }
    }

    /// Takes the value of a parse, or records its error.
    pub fn take<T, E: DomainError>(&mut self, field: &'static str, r: Result<T, E>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                self.domain(field, &e);
                None
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn get(&self, field: &str) -> Option<&FieldError> {
        self.0.iter().find(|e| e.field == field)
    }

    /// `Ok(())` when nothing was recorded.
    pub fn into_result(self) -> Result<(), ServiceError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(ServiceError::Invalid(self))
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("invalid input")]
    Invalid(FieldErrors),
    #[error("access denied: {}", .0.code())]
    Denied(Denial),
    #[error("not found")]
    NotFound,
    /// A rule refuses the request (code, Japanese and English messages).
    #[error("{code}")]
    Refused {
        status: u16,
        code: &'static str,
        message_ja: String,
        message_en: String,
    },
    #[error("storage: {0}")]
    Storage(#[from] StorageError),
    #[error("internal error: {0}")]
    Internal(String),
}

impl ServiceError {
    pub fn refused(
        status: u16,
        code: &'static str,
        ja: impl Into<String>,
        en: impl Into<String>,
    ) -> Self {
        ServiceError::Refused {
            status,
            code,
            message_ja: ja.into(),
            message_en: en.into(),
        }
    }

    /// A single field error.
    pub fn field(
        field: &'static str,
        code: &'static str,
        ja: impl Into<String>,
        en: impl Into<String>,
    ) -> Self {
        let mut f = FieldErrors::new();
        f.add(field, code, ja, en);
        ServiceError::Invalid(f)
    }
}

impl From<Denial> for ServiceError {
    fn from(d: Denial) -> Self {
        ServiceError::Denied(d)
    }
}

pub type ServiceResult<T> = Result<T, ServiceError>;
