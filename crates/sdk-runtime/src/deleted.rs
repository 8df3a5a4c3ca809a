//! [`Deleted`]: what every facade's deletes return, and
//! [`deleted_after_lost_answer`], the rule that makes a repeated delete
//! idempotent.

use crate::error::Error;

/// The outcome of a delete (every facade's deletes, revokes and removals
/// return it).
///
/// ```
/// # fn show(deleted: sdk_runtime::Deleted) {
/// if deleted.destroyed {
///     println!("{} is gone", deleted.id);
/// } else {
///     println!("{} is being deleted", deleted.id);
/// }
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Deleted {
    /// What the call deleted, as the API names it (an id, a name, an email).
    pub id: String,
    /// `true` once it is gone; `false` when the service accepted the deletion
    /// and carries it out afterwards (the facade's `wait_until_destroyed`,
    /// where there is one, waits for the end).
    pub destroyed: bool,
}

impl Deleted {
    /// `id`, deleted (`destroyed`) or being deleted.
    pub fn new(id: impl Into<String>, destroyed: bool) -> Deleted {
        Deleted {
            id: id.into(),
            destroyed,
        }
    }
}

/// The outcome of the delete of `id` whose result is `result` (`Ok(destroyed)`
/// or its error): a "not found" after an attempt whose answer was lost means
/// that attempt deleted it, which is what the caller asked for, so it is
/// success. Other errors pass through.
pub fn deleted_after_lost_answer<A>(
    id: impl Into<String>,
    result: Result<bool, Error<A>>,
) -> Result<Deleted, Error<A>> {
    match result {
        Ok(destroyed) => Ok(Deleted::new(id, destroyed)),
        Err(e) if e.is_not_found() && e.after_lost_answer() => Ok(Deleted::new(id, true)),
        Err(e) => Err(e),
    }
}
