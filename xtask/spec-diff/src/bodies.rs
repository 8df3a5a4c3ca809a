//! Request bodies and responses of a matched operation.
//!
//! Status codes are classified as *success* (`2xx` and the `2XX` range) or *error*
//! (everything else, including `default`, `1xx` and `3xx`):
//!
//! | change | success status | error status |
//! |---|---|---|
//! | added | info (`response-success-status-added`) | non-breaking (`response-error-status-added`) |
//! | removed | breaking (`response-success-status-removed`) | non-breaking (`response-error-status-removed`) |
//!
//! A removed error status is non-breaking because clients must cope with undocumented
//! statuses anyway and the server simply stops sending it; a removed success status
//! breaks every client that waits for it.
//!
//! Media types are matched by their exact key; the schemas of media types present on
//! both sides are compared recursively. Response headers and links are not compared.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use crate::context::{Ctx, OpRef, empty_map, is_true};
use crate::parameters::OpSide;
use crate::resolve::escape;
use crate::schemas::{self, Area};

/// The `content` map of a (resolved) request body or response.
fn content(value: &Value) -> Option<&Map<String, Value>> {
    value.get("content")?.as_object()
}

/// Compares the request bodies of a matched operation.
pub(crate) fn compare_request<'a>(ctx: &mut Ctx<'a>, op: &OpRef, old: OpSide<'a>, new: OpSide<'a>) {
    let old_body = old.operation.get("requestBody").map(|b| ctx.old.resolve(b));
    let new_body = new.operation.get("requestBody").map(|b| ctx.new.resolve(b));
    let path = op.at("requestBody");
    match (old_body, new_body) {
        // Unresolved references are reported by the document scan.
        (Some(Err(_)), _) | (_, Some(Err(_))) | (None, None) => {}
        (None, Some(Ok(body))) => {
            if is_true(body, "required") {
                ctx.emit(
                    "request-body-added-required",
                    op.label(),
                    path,
                    "a required request body was added".to_owned(),
                );
            } else {
                ctx.emit(
                    "request-body-added-optional",
                    op.label(),
                    path,
                    "an optional request body was added".to_owned(),
                );
            }
        }
        (Some(Ok(_)), None) => {
            ctx.emit(
                "request-body-removed",
                op.label(),
                path,
                "the request body was removed".to_owned(),
            );
        }
        (Some(Ok(old_body)), Some(Ok(new_body))) => {
            match (is_true(old_body, "required"), is_true(new_body, "required")) {
                (false, true) => {
                    ctx.emit(
                        "request-body-became-required",
                        op.label(),
                        path,
                        "the request body became required".to_owned(),
                    );
                }
                (true, false) => {
                    ctx.emit(
                        "request-body-became-optional",
                        op.label(),
                        path,
                        "the request body became optional".to_owned(),
                    );
                }
                _ => {}
            }
            compare_content(
                ctx,
                op,
                Area::RequestBody,
                old_body,
                new_body,
                "requestBody",
                "the request body",
            );
        }
    }
}

fn is_success(status: &str) -> bool {
    status.starts_with('2')
}

/// Compares the responses of a matched operation.
pub(crate) fn compare_responses<'a>(
    ctx: &mut Ctx<'a>,
    op: &OpRef,
    old: OpSide<'a>,
    new: OpSide<'a>,
) {
    let empty = empty_map();
    let old_responses = old
        .operation
        .get("responses")
        .and_then(Value::as_object)
        .unwrap_or(empty);
    let new_responses = new
        .operation
        .get("responses")
        .and_then(Value::as_object)
        .unwrap_or(empty);
    let statuses: BTreeSet<&String> = old_responses.keys().chain(new_responses.keys()).collect();
    for status in statuses {
        let loc = format!("responses/{}", escape(status));
        let path = op.at(&loc);
        let success = is_success(status);
        match (old_responses.get(status), new_responses.get(status)) {
            (None, Some(_)) => {
                let (id, kind) = if success {
                    ("response-success-status-added", "success")
                } else {
                    ("response-error-status-added", "error")
                };
                ctx.emit(
                    id,
                    op.label(),
                    path,
                    format!("{kind} response status `{status}` was added"),
                );
            }
            (Some(_), None) => {
                let (id, kind) = if success {
                    ("response-success-status-removed", "success")
                } else {
                    ("response-error-status-removed", "error")
                };
                ctx.emit(
                    id,
                    op.label(),
                    path,
                    format!("{kind} response status `{status}` was removed"),
                );
            }
            (Some(old_response), Some(new_response)) => {
                let (Ok(old_response), Ok(new_response)) =
                    (ctx.old.resolve(old_response), ctx.new.resolve(new_response))
                else {
                    continue;
                };
                compare_content(
                    ctx,
                    op,
                    Area::Response,
                    old_response,
                    new_response,
                    &loc,
                    &format!("the `{status}` response body"),
                );
            }
            (None, None) => {}
        }
    }
}

/// Compares the `content` of two request bodies or two responses.
fn compare_content<'a>(
    ctx: &mut Ctx<'a>,
    op: &OpRef,
    area: Area,
    old: &'a Value,
    new: &'a Value,
    loc: &str,
    subject: &str,
) {
    let empty = empty_map();
    let old_content = content(old).unwrap_or(empty);
    let new_content = content(new).unwrap_or(empty);
    let (added_id, removed_id) = match area {
        Area::Response => ("response-media-type-added", "response-media-type-removed"),
        Area::RequestBody | Area::Parameter => (
            "request-body-media-type-added",
            "request-body-media-type-removed",
        ),
    };
    let media_types: BTreeSet<&String> = old_content.keys().chain(new_content.keys()).collect();
    for media_type in media_types {
        let mloc = format!("{loc}/content/{}", escape(media_type));
        match (old_content.get(media_type), new_content.get(media_type)) {
            (None, Some(_)) => {
                ctx.emit(
                    added_id,
                    op.label(),
                    op.at(&mloc),
                    format!("media type `{media_type}` was added to {subject}"),
                );
            }
            (Some(_), None) => {
                ctx.emit(
                    removed_id,
                    op.label(),
                    op.at(&mloc),
                    format!("media type `{media_type}` was removed from {subject}"),
                );
            }
            (Some(old_media), Some(new_media)) => {
                if let (Some(old_schema), Some(new_schema)) =
                    (old_media.get("schema"), new_media.get("schema"))
                {
                    schemas::compare(
                        ctx,
                        op,
                        area,
                        old_schema,
                        new_schema,
                        &format!("{mloc}/schema"),
                        subject,
                    );
                }
            }
            (None, None) => {}
        }
    }
}
