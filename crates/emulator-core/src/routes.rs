//! An axum router built from a spec's operations: each operation's method
//! and path template reach one handler, which is told the operationId.
//! Unknown paths answer 404 and unknown methods 405, both as JSON errors.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::Path;
use axum::extract::rejection::PathRejection;
use axum::response::Response;
use axum::routing::{MethodFilter, MethodRouter};
use http::Request;

use crate::error::ApiError;
use crate::http::error_response;
use crate::validate::Spec;

/// The path parameters of a request, or why they could not be read.
pub type PathParams = Result<Path<HashMap<String, String>>, PathRejection>;

/// A router sending each operation of `spec` to `handler(state,
/// operation_id, path_params, request)`.
pub fn operation_router<S, H, F>(spec: &Spec, state: S, handler: H) -> Router
where
    S: Clone + Send + Sync + 'static,
    H: Fn(S, Arc<str>, PathParams, Request<Body>) -> F + Clone + Send + Sync + 'static,
    F: Future<Output = Response> + Send + 'static,
{
    let mut by_path: Vec<(String, MethodRouter<S>)> = Vec::new();
    for op in &spec.operations {
        let filter = match op.method.as_str() {
            "GET" => MethodFilter::GET,
            "POST" => MethodFilter::POST,
            "PUT" => MethodFilter::PUT,
            "PATCH" => MethodFilter::PATCH,
            "DELETE" => MethodFilter::DELETE,
            _ => continue,
        };
        let id: Arc<str> = Arc::from(op.id.as_str());
        let handler = handler.clone();
        let route =
            move |axum::extract::State(state): axum::extract::State<S>,
                  path: PathParams,
                  req: Request<Body>| { handler(state, id.clone(), path, req) };
        match by_path.iter_mut().find(|(p, _)| *p == op.path) {
            Some((_, mr)) => *mr = std::mem::take(mr).on(filter, route),
            None => by_path.push((op.path.clone(), axum::routing::on(filter, route))),
        }
    }
    let mut router = Router::new();
    for (path, mr) in by_path {
        router = router.route(&path, mr);
    }
    router
        .fallback(|| async { error_response(404, "not found", None) })
        .method_not_allowed_fallback(|| async { error_response(405, "method not allowed", None) })
        .with_state(state)
}

/// Turn path parameters into a map, or a 400.
pub fn path_params(path: PathParams) -> Result<HashMap<String, String>, ApiError> {
    match path {
        Ok(Path(p)) => Ok(p),
        Err(e) => Err(ApiError::bad_request(format!(
            "invalid path parameter: {e}"
        ))),
    }
}
