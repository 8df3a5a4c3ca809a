//! [`Ensured`]: what an idempotent "create unless it exists" returns, so that
//! a caller can tell a resource this call made from one that was there.

/// A resource an idempotent create produced: made by this call, or found
/// already there (and matching what was asked for).
///
/// ```
/// use sdk_runtime::Ensured;
///
/// let made = Ensured::Created(7);
/// assert!(made.was_created());
/// assert_eq!(*made, 7);
/// assert_eq!(Ensured::Existing("x").into_inner(), "x");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ensured<T> {
    /// This call created it.
    Created(T),
    /// It existed before this call.
    Existing(T),
}

impl<T> Ensured<T> {
    /// The resource, however it came about.
    pub fn into_inner(self) -> T {
        let (Ensured::Created(value) | Ensured::Existing(value)) = self;
        value
    }

    /// Whether this call created it.
    pub fn was_created(&self) -> bool {
        matches!(self, Ensured::Created(_))
    }

    /// The same outcome for a converted value.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Ensured<U> {
        match self {
            Ensured::Created(value) => Ensured::Created(f(value)),
            Ensured::Existing(value) => Ensured::Existing(f(value)),
        }
    }
}

impl<T> std::ops::Deref for Ensured<T> {
    type Target = T;

    fn deref(&self) -> &T {
        let (Ensured::Created(value) | Ensured::Existing(value)) = self;
        value
    }
}
