//! The error answer every emulated API shares: an HTTP status and a message,
//! sent as `{"error": message}` (see [`ApiError::into_response`]).

/// An error answer: status plus `{"error": message}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The HTTP status.
    pub status: u16,
    /// The message, for people; never a secret.
    pub message: String,
}

impl ApiError {
    /// An error answer with this status.
    pub fn new(status: u16, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            message: message.into(),
        }
    }
    /// A 400.
    pub fn bad_request(m: impl Into<String>) -> ApiError {
        ApiError::new(400, m)
    }
    /// A 401.
    pub fn unauthorized(m: impl Into<String>) -> ApiError {
        ApiError::new(401, m)
    }
    /// A 403.
    pub fn forbidden(m: impl Into<String>) -> ApiError {
        ApiError::new(403, m)
    }
    /// A 404.
    pub fn not_found(m: impl Into<String>) -> ApiError {
        ApiError::new(404, m)
    }
    /// A 409.
    pub fn conflict(m: impl Into<String>) -> ApiError {
        ApiError::new(409, m)
    }
}

impl ApiError {
    /// The answer: `{"error": message}` with the status.
    pub fn into_response(self) -> axum::response::Response {
        crate::respond::error_response(self.status, &self.message, None)
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.status, self.message)
    }
}
