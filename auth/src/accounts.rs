//! The account service: sign-up, sign-in (with the staff second factor), sessions, password
//! change and account deletion.

mod second_factor;

pub use second_factor::{
    Enrolment, IssuedEnrolmentCode, PendingSignIn, PendingStep, SECOND_FACTOR_COOKIE, SignedIn, current_code,
    matching_step,
};

use crate::address::ClientAddress;
use crate::password::PasswordHashing;
use crate::sealing::SealingKeys;
use crate::tokens::{ISSUER, SESSION_AUDIENCE, SESSION_TYP, SessionClaims, TokenKeys};
use base64::Engine;
use domain::account::{
    AuthError, CurrentUser, DisplayName, Email, Password, ResidentNumber, Role, SecondFactorRule,
};
use domain::lang::Lang;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use sha2::{Digest, Sha256};
use sqlx::AnyPool;
use std::num::NonZeroU32;
use std::sync::Arc;
use store::accounts::{self, InsertUserError, UserRow};
use store::sign_in_failures;
use store::{now, now_us};

/// What a new resident signs up with (validated here). No `Debug`: it holds a password.
#[derive(Clone)]
pub struct SignUp {
    pub email: String,
    pub password: String,
    pub display_name: String,
    pub lang: Lang,
}

/// A `Set-Cookie` header value the caller must send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetCookie(pub String);

/// The signed-in session of a request, put in the request's extensions by the server.
#[derive(Debug, Clone)]
pub struct Session {
    pub user: CurrentUser,
    /// The stored digest of the session id, to end this session.
    pub digest: String,
}

/// Seconds until a rate limiter lets the next attempt through (at least one).
pub fn retry_after_secs(not_until: &governor::NotUntil<governor::clock::QuantaInstant>) -> u64 {
    let now = governor::clock::Clock::now(&governor::clock::DefaultClock::default());
    not_until.wait_time_from(now).as_secs().max(1)
}

/// The first wait of the sign-in back-off, in milliseconds; it doubles with each further
/// wrong password up to `domain::account::MAX_WAIT_SECS`.
pub const FIRST_WAIT_MS: u64 = 1000;

/// The session cookie's name over plain HTTP (a developer's machine, the tests).
pub const SESSION_COOKIE: &str = "gh_session";

/// A cookie's name as sent: over HTTPS with the `__Host-` prefix, which browsers accept only
/// with `Secure`, `Path=/` and no `Domain` (RFC 6265bis §4.1.3.2), so neither a sibling
/// subdomain nor a plain-HTTP page of the city can plant or overwrite it.
pub fn cookie_name(base: &'static str, secure: bool) -> std::borrow::Cow<'static, str> {
    if secure {
        std::borrow::Cow::Owned(format!("__Host-{base}"))
    } else {
        std::borrow::Cow::Borrowed(base)
    }
}

/// How long sessions last and how their cookie is sent.
#[derive(Debug, Clone, Copy)]
pub struct SessionPolicy {
    pub idle_secs: i64,
    pub absolute_secs: i64,
    pub secure_cookie: bool,
    /// Whether staff must sign in with a second factor.
    pub second_factor: SecondFactorRule,
}

/// Accounts over SQL; cheap to clone.
#[derive(Clone)]
pub struct Accounts {
    pool: AnyPool,
    hashing: PasswordHashing,
    keys: TokenKeys,
    /// Seals authenticator secrets; digests enrolment codes.
    sealing: SealingKeys,
    policy: SessionPolicy,
    /// Sign-in attempts per account (the per-IP limit is a layer on the routes).
    per_account: Arc<DefaultKeyedRateLimiter<String>>,
}

fn unavailable(e: impl std::fmt::Display) -> AuthError {
    tracing::error!(error = %e, "account storage failed");
    AuthError::Unavailable
}

/// A hashing failure: a full queue is the load of the moment (503, logged as a warning),
/// anything else a fault.
fn hashing_failed(e: crate::password::HashError) -> AuthError {
    if matches!(e, crate::password::HashError::Busy) {
        tracing::warn!("refused: every password hasher is busy");
        AuthError::Unavailable
    } else {
        unavailable(e)
    }
}

/// How an email typed into a sign-in form appears in logs: a short digest, since people
/// sometimes type their password into the email field and the text is the caller's.
pub fn log_id(email: &str) -> String {
    digest(email).chars().take(12).collect()
}

/// SHA-256 hex digest of a session id: what the database keeps instead of the id.
pub fn digest(session_id: &str) -> String {
    Sha256::digest(session_id.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl Accounts {
    /// The service: five sign-in attempts a minute per account.
    pub fn new(
        pool: AnyPool,
        hashing: PasswordHashing,
        keys: TokenKeys,
        sealing: SealingKeys,
        policy: SessionPolicy,
    ) -> Self {
        let quota = Quota::per_minute(NonZeroU32::new(5).unwrap_or(NonZeroU32::MIN));
        Self {
            pool,
            hashing,
            keys,
            sealing,
            policy,
            per_account: Arc::new(RateLimiter::keyed(quota)),
        }
    }

    /// The password hasher, shared with agency clients (their secrets are hashed the same way).
    pub fn hashing(&self) -> &PasswordHashing {
        &self.hashing
    }

    /// Counts one attempt for `key` (an account or client); `RateLimited` once a key has
    /// used its five attempts of the minute.
    pub fn check_attempt(&self, key: &str) -> Result<(), AuthError> {
        self.per_account
            .check_key(&key.to_owned())
            .map_err(|not_until| AuthError::RateLimited {
                retry_after_secs: retry_after_secs(&not_until),
            })
    }

    /// Forgets attempt counts whose window has passed, so the limiter's memory stays bounded.
    pub fn forget_old_attempts(&self) {
        self.per_account.retain_recent();
        self.per_account.shrink_to_fit();
    }

    /// Deletes sessions that can no longer be used (they are refused anyway; this keeps the
    /// table small). Returns how many went.
    pub async fn purge_expired_sessions(&self) -> Result<u64, store::StoreError> {
        accounts::delete_expired_sessions(&self.pool, self.policy.idle_secs).await
    }

    /// The token keys, shared with the agency API.
    pub fn keys(&self) -> &TokenKeys {
        &self.keys
    }

    /// The session cookie's name as this server sends it (`__Host-` over HTTPS).
    pub fn session_cookie_name(&self) -> std::borrow::Cow<'static, str> {
        cookie_name(SESSION_COOKIE, self.policy.secure_cookie)
    }

    fn cookie(&self, value: &str, max_age: i64) -> SetCookie {
        let secure = if self.policy.secure_cookie { "; Secure" } else { "" };
        let name = self.session_cookie_name();
        SetCookie(format!(
            "{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}"
        ))
    }

    fn clearing_cookie(&self) -> SetCookie {
        self.cookie("", 0)
    }

    /// Starts a session with a fresh random id and returns its cookie.
    async fn start_session(&self, user_id: &str, password_hash: &str) -> Result<SetCookie, AuthError> {
        let raw: [u8; 32] = rand::random();
        let sid = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw);
        let issued = now();
        let expires = issued + self.policy.absolute_secs;
        let recorded = accounts::insert_session(&self.pool, &digest(&sid), user_id, password_hash, expires)
            .await
            .map_err(unavailable)?;
        if !recorded {
            // The password changed (or the account went) while this sign-in was checked.
            return Err(AuthError::InvalidCredentials);
        }
        let claims = SessionClaims {
            iss: ISSUER.into(),
            aud: SESSION_AUDIENCE.into(),
            sub: user_id.into(),
            sid,
            typ: SESSION_TYP.into(),
            iat: issued,
            exp: expires,
        };
        let token = self.keys.sign(&claims).map_err(unavailable)?;
        Ok(self.cookie(&token, self.policy.absolute_secs))
    }

    /// The session a cookie's token names, if it is still valid; keeps it alive.
    pub async fn resolve(&self, token: &str) -> Result<Option<Session>, AuthError> {
        let Ok(claims) = self.keys.verify_session(token) else {
            return Ok(None);
        };
        let digest = digest(&claims.sid);
        let Some(session) = accounts::find_session(&self.pool, &digest)
            .await
            .map_err(unavailable)?
        else {
            return Ok(None);
        };
        let at = now();
        if session.user_id != claims.sub
            || session.expires_at <= at
            || session.last_seen_at + self.policy.idle_secs <= at
        {
            return Ok(None);
        }
        // Write at most once a minute per session.
        if at - session.last_seen_at >= 60 {
            accounts::touch_session(&self.pool, &digest)
                .await
                .map_err(unavailable)?;
        }
        let Some(user) = accounts::find_user(&self.pool, &session.user_id)
            .await
            .map_err(unavailable)?
        else {
            return Ok(None);
        };
        if user.disabled_at.is_some() {
            return Ok(None);
        }
        Ok(Some(Session {
            user: current_user(user),
            digest,
        }))
    }

    /// The signed-in user, once `password` is theirs. Counted per account like sign-in (five a
    /// minute): each check costs an argon2 hash, and one session must not be able to keep the
    /// hashers busy for everyone's sign-in, nor guess the password of a session it stole.
    async fn verified_user(&self, session: &Session, password: &str) -> Result<UserRow, AuthError> {
        if let Err(e) = self.check_attempt(&format!("password:{}", session.user.id)) {
            tracing::warn!(outcome = "rate_limited", user = %session.user.id, "password check");
            return Err(e);
        }
        let user = accounts::find_user(&self.pool, &session.user.id)
            .await
            .map_err(unavailable)?
            .ok_or(AuthError::NotSignedIn)?;
        let ok = self
            .hashing
            .verify(password, Some(&user.password_hash))
            .await
            .map_err(hashing_failed)?;
        if ok {
            Ok(user)
        } else {
            Err(AuthError::WrongPassword)
        }
    }

    /// Creates a staff or resident account directly (the `admin create-user` command): an
    /// email that already has an account is refused, since the operator may know it.
    pub async fn create_user(
        &self,
        email: &str,
        password: &str,
        name: &str,
        role: Role,
    ) -> Result<CurrentUser, AuthError> {
        let account = self.checked_account(email, password, name).await?;
        match self.insert_account(&account, role, Lang::default()).await? {
            Some(id) => {
                let user = accounts::find_user(&self.pool, &id).await.map_err(unavailable)?;
                user.map(current_user).ok_or(AuthError::Unavailable)
            }
            None => Err(AuthError::EmailTaken),
        }
    }

    /// A new account's email, name and password hash, once each is valid and the password
    /// strong enough.
    async fn checked_account(
        &self,
        email: &str,
        password: &str,
        name: &str,
    ) -> Result<NewAccount, AuthError> {
        let email = Email::parse(email)?;
        let password = Password::new(password)?;
        let name = DisplayName::parse(name)?;
        strong_enough(&password, email.as_str(), name.as_str()).await?;
        let password_hash = self
            .hashing
            .hash(password.expose())
            .await
            .map_err(hashing_failed)?;
        Ok(NewAccount {
            email,
            name,
            password_hash,
        })
    }

    /// Stores `account` with a fresh resident number: its id, or `None` when the email already
    /// has an account (nothing is written then).
    async fn insert_account(
        &self,
        account: &NewAccount,
        role: Role,
        lang: Lang,
    ) -> Result<Option<String>, AuthError> {
        for _ in 0..5 {
            let number = ResidentNumber::from_random(rand::random());
            let new = accounts::NewUser {
                email: account.email.as_str(),
                password_hash: &account.password_hash,
                display_name: account.name.as_str(),
                lang: lang.code(),
                role: role.code(),
                resident_number: number.as_str(),
            };
            match accounts::insert_user(&self.pool, &new).await {
                Ok(id) => return Ok(Some(id)),
                Err(InsertUserError::EmailTaken) => return Ok(None),
                Err(InsertUserError::NumberTaken) => continue,
                Err(InsertUserError::Db(e)) => return Err(unavailable(e)),
            }
        }
        Err(unavailable("no free resident number after five tries"))
    }
}

/// A new account's checked inputs. No `Debug`: it holds a password hash.
struct NewAccount {
    email: Email,
    name: DisplayName,
    password_hash: String,
}

/// Refuses a new password zxcvbn finds too easy to guess, the account's email and name counted
/// as words a guesser knows. The estimate runs on a blocking thread (it is bounded, but not free).
async fn strong_enough(password: &Password, email: &str, name: &str) -> Result<(), AuthError> {
    let (password, email, name) = (password.expose().to_owned(), email.to_owned(), name.to_owned());
    let refusal =
        tokio::task::spawn_blocking(move || crate::strength::too_guessable(&password, &email, &name))
            .await
            .map_err(unavailable)?;
    refusal.map_or(Ok(()), |e| Err(e.into()))
}

fn current_user(row: UserRow) -> CurrentUser {
    CurrentUser {
        role: row.role.parse().unwrap_or(Role::Resident),
        lang: Lang::from_code(&row.lang).unwrap_or_default(),
        id: row.id,
        email: row.email,
        display_name: row.display_name,
        resident_number: row.resident_number,
    }
}

/// What residents do with their account.
impl Accounts {
    #[tracing::instrument(skip_all)]
    /// Creates a resident account, and answers the same whether or not the email already had
    /// one, so sign-up cannot be used to learn who has an account: the inputs are checked
    /// and the password hashed either way (the answer takes as long), and when the email is
    /// taken nothing is created and its owner finds an account notice instead. Never signs
    /// in: the new resident signs in next, like everyone else.
    pub async fn sign_up(&self, input: SignUp) -> Result<(), AuthError> {
        // The limiter's keys live in memory for a minute: digests, not the emails typed.
        let email_key = self.keys.keyed_digest(&input.email.trim().to_lowercase());
        self.check_attempt(&format!("sign-up:{email_key}"))?;
        let account = match self
            .checked_account(&input.email, &input.password, &input.display_name)
            .await
        {
            Ok(account) => account,
            Err(e) => {
                tracing::info!(outcome = "refused", reason = %e, "sign-up");
                return Err(e);
            }
        };
        if let Some(id) = self.insert_account(&account, Role::Resident, input.lang).await? {
            tracing::info!(outcome = "created", user = %id, "sign-up");
            return Ok(());
        }
        let owner = accounts::find_user_by_email(&self.pool, account.email.as_str())
            .await
            .map_err(unavailable)?;
        if let Some(owner) = owner {
            store::account_notices::record_sign_up_attempt(&self.pool, &owner.id, now_us())
                .await
                .map_err(unavailable)?;
            tracing::info!(outcome = "email_taken", user = %owner.id, "sign-up");
        }
        Ok(())
    }

    #[tracing::instrument(skip_all)]
    /// Checks credentials and starts a new session, or for staff the second step.
    ///
    /// Two limits apply before the password is checked. Per account and address, five tries
    /// a minute (in memory). And the back-off (in the database, so every app server agrees):
    /// an account's wrong passwords in a row, from wherever they come, set a wait that grows
    /// with each one (`domain::account::FailedSignIns`), and while it runs an address that
    /// tried a wrong password during the streak is refused without its password being
    /// checked, its wait counted from its own last failure (so a stranger's later guesses
    /// cannot keep it waiting past the longest wait). An address that has not been failing
    /// is not held back, which is the choice
    /// that keeps the back-off from being a lock: a stranger's guesses, however many and from
    /// however many addresses, never stop the owner signing in from their own. What it costs:
    /// each new address a guesser brings gets its first try unwaited (then waits like the
    /// rest, and still counts under the per-address limits), so guessing spread over many
    /// addresses is slowed by the number of addresses, not stopped. The failure that reaches
    /// the waits leaves the owner a notice, once per streak; a right password ends the streak.
    pub async fn sign_in(
        &self,
        email: &str,
        password: &str,
        client: Option<ClientAddress>,
    ) -> Result<SignedIn, AuthError> {
        let key = email.trim().to_lowercase();
        let email_key = self.keys.keyed_digest(&key);
        // Keyed by account and address: nobody can lock a resident out from elsewhere. The
        // limiter's keys live in memory for a minute: digests, not the emails typed.
        let ip = client.map(|c| c.limit_key().to_string()).unwrap_or_default();
        if let Err(e) = self.check_attempt(&format!("sign-in:{email_key}:{ip}")) {
            tracing::warn!(outcome = "rate_limited", account = %log_id(&key), client = ?client.map(|c| c.0), "sign-in");
            return Err(e);
        }
        let user = accounts::find_user_by_email(&self.pool, &key)
            .await
            .map_err(unavailable)?;
        // An email with no account has a streak of its own, kept like an account's, so the
        // back-off answers the same whether or not the email has an account.
        let subject = match &user {
            Some(user) => user.id.clone(),
            None => sign_in_failures::unknown_email_subject(&email_key),
        };
        let address = self.keys.keyed_digest(&ip);
        let streak = sign_in_failures::streak(&self.pool, &subject, &address)
            .await
            .map_err(unavailable)?;
        let wait = streak
            .failures
            .address_wait_secs(streak.address_failed_at_us, now_us(), FIRST_WAIT_MS);
        if let Some(retry_after_secs) = wait {
            tracing::warn!(outcome = "backing_off", account = %log_id(&key), client = ?client.map(|c| c.0), retry_after_secs, "sign-in");
            return Err(AuthError::BackingOff { retry_after_secs });
        }
        let ok = self
            .hashing
            .verify(password, user.as_ref().map(|u| u.password_hash.as_str()))
            .await
            .map_err(hashing_failed)?;
        match user {
            Some(user) if ok && user.disabled_at.is_some() => {
                tracing::warn!(outcome = "disabled", user = %user.id, client = ?client.map(|c| c.0), "sign-in");
                Err(AuthError::Disabled)
            }
            Some(user) if ok => {
                tracing::info!(outcome = "password", user = %user.id, client = ?client.map(|c| c.0), "sign-in");
                if streak.failures.count > 0 {
                    sign_in_failures::reset(&self.pool, &subject)
                        .await
                        .map_err(unavailable)?;
                }
                self.after_password(&user).await
            }
            _ => {
                let owner = user.as_ref().map(|u| u.id.as_str());
                let failures =
                    sign_in_failures::record_failure(&self.pool, &subject, owner, &address, now_us())
                        .await
                        .map_err(unavailable)?;
                match owner {
                    Some(user) => {
                        tracing::warn!(outcome = "failure", user = %user, client = ?client.map(|c| c.0), failures = failures.count, "sign-in");
                    }
                    None => {
                        tracing::warn!(outcome = "failure", account = %log_id(&key), client = ?client.map(|c| c.0), failures = failures.count, "sign-in");
                    }
                }
                Err(AuthError::InvalidCredentials)
            }
        }
    }

    #[tracing::instrument(skip_all)]
    /// Ends the session; the returned cookie clears it in the browser.
    pub async fn sign_out(&self, session: &Session) -> Result<SetCookie, AuthError> {
        accounts::delete_session(&self.pool, &session.digest)
            .await
            .map_err(unavailable)?;
        tracing::info!(user = %session.user.id, "sign-out");
        Ok(self.clearing_cookie())
    }

    /// The live sessions of the signed-in person, this one marked, most recently used first.
    pub async fn sessions(&self, session: &Session) -> Result<Vec<domain::account::SessionView>, AuthError> {
        let rows = accounts::user_sessions(&self.pool, &session.user.id, self.policy.idle_secs)
            .await
            .map_err(unavailable)?;
        Ok(rows
            .into_iter()
            .map(|row| domain::account::SessionView {
                current: row.id == session.digest,
                signed_in_at: store::rfc3339_us(row.created_at.saturating_mul(1_000_000)),
                last_used_at: store::rfc3339_us(row.last_seen_at.saturating_mul(1_000_000)),
                id: row.id,
            })
            .collect())
    }

    #[tracing::instrument(skip_all)]
    /// Ends one of the signed-in person's own sessions (`NotFound`-like `Forbidden` for
    /// anyone else's, which is never touched). Ending the current one signs out.
    pub async fn end_session(&self, session: &Session, id: &str) -> Result<(), AuthError> {
        let ended = accounts::delete_user_session(&self.pool, &session.user.id, id)
            .await
            .map_err(unavailable)?;
        if !ended {
            tracing::warn!(user = %session.user.id, "refused: ending a session that is not theirs");
            return Err(AuthError::Forbidden);
        }
        tracing::info!(user = %session.user.id, "ended one of their sessions");
        Ok(())
    }

    #[tracing::instrument(skip_all)]
    /// Ends every session of the signed-in person but this one; how many ended.
    pub async fn end_other_sessions(&self, session: &Session) -> Result<u64, AuthError> {
        let ended = accounts::delete_other_sessions(&self.pool, &session.user.id, &session.digest)
            .await
            .map_err(unavailable)?;
        tracing::info!(user = %session.user.id, ended, "ended their other sessions");
        Ok(ended)
    }

    #[tracing::instrument(skip_all)]
    /// Replaces the password after checking the current one; ends every session and starts a new one.
    pub async fn change_password(
        &self,
        session: &Session,
        current: &str,
        new: &str,
    ) -> Result<SetCookie, AuthError> {
        let new = Password::new(new)?;
        strong_enough(&new, &session.user.email, &session.user.display_name).await?;
        let user = self.verified_user(session, current).await?;
        let hash = self.hashing.hash(new.expose()).await.map_err(hashing_failed)?;
        accounts::set_password_hash(&self.pool, &user.id, &hash)
            .await
            .map_err(unavailable)?;
        accounts::delete_user_sessions(&self.pool, &user.id)
            .await
            .map_err(unavailable)?;
        tracing::info!(user = %user.id, "password changed; every session ended");
        self.start_session(&user.id, &hash).await
    }

    #[tracing::instrument(skip_all)]
    /// Deletes the account after checking the password; ends every session.
    pub async fn delete_account(&self, session: &Session, password: &str) -> Result<SetCookie, AuthError> {
        let user = self.verified_user(session, password).await?;
        accounts::delete_user(&self.pool, &user.id)
            .await
            .map_err(unavailable)?;
        tracing::info!(user = %user.id, "account deleted");
        Ok(self.clearing_cookie())
    }
}
