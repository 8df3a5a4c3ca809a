//! The error answer every emulated API shares: an HTTP status and a message,
//! sent as `{"error": message}` by the Platform API and the upload endpoint.

/// An error answer: status plus `{"error": message}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ApiError {
    pub status: u16,
    pub message: String,
}

impl ApiError {
    pub(crate) fn new(status: u16, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            message: message.into(),
        }
    }
    pub(crate) fn bad_request(m: impl Into<String>) -> ApiError {
        ApiError::new(400, m)
    }
    pub(crate) fn unauthorized(m: impl Into<String>) -> ApiError {
        ApiError::new(401, m)
    }
    pub(crate) fn forbidden(m: impl Into<String>) -> ApiError {
        ApiError::new(403, m)
    }
    pub(crate) fn not_found(m: impl Into<String>) -> ApiError {
        ApiError::new(404, m)
    }
    pub(crate) fn conflict(m: impl Into<String>) -> ApiError {
        ApiError::new(409, m)
    }
}
