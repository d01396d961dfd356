//! Signing in on the web: password, then (for administrators and analysts) the code from an
//! authenticator app. On the first sign-in: a new password, then the authenticator enrolment
//! with a QR code. The checks themselves are `api::session`'s.

use super::layout::bare_page;
use super::{CsrfForm, OpenForm, PageResult, Visitor, step_page};
use crate::api::session;
use crate::state::AppState;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, PreEscaped, html};
use serde::Deserialize;
use std::net::SocketAddr;

fn problem(message: Option<&str>) -> Markup {
    html! {
        @if let Some(message) = message {
            p.alert role="alert" { (message) }
        }
    }
}

/// `?next=`: the page to open after signing in.
#[derive(Debug, Default, Deserialize)]
pub struct Next {
    #[serde(default)]
    next: String,
}

fn next_field(next: &str) -> Markup {
    html! {
        @if super::local_path(next) != "/" {
            input type="hidden" name="next" value=(super::local_path(next));
        }
    }
}

fn login_page(message: Option<&str>, email: &str, next: &str) -> Markup {
    bare_page(
        "Sign in",
        html! {
            h1 { "Sign in" }
            (problem(message))
            form.stack method="post" action="/login" {
                (next_field(next))
                label for="email" { "E-mail address" }
                input #email type="email" name="email" autocomplete="username" required value=(email);
                label for="password" { "Password" }
                input #password type="password" name="password" autocomplete="current-password" required;
                div.actions { button type="submit" { "Sign in" } }
            }
            p.hint { "Forgot your password? Ask your practice administrator to reset it." }
        },
    )
}

/// `GET /login?next=`.
pub async fn login_form(Query(next): Query<Next>) -> Markup {
    login_page(None, "", &next.next)
}

/// The sign-in form's fields.
#[derive(Debug, Deserialize)]
pub struct LoginForm {
    email: String,
    password: String,
    #[serde(default)]
    next: String,
}

/// Sends the browser to `to` with a new session cookie.
fn redirect_with_cookie(cookie: HeaderValue, to: &str) -> Response {
    ([(header::SET_COOKIE, cookie)], Redirect::to(to)).into_response()
}

/// `POST /login`.
pub async fn login(
    State(state): State<AppState>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    OpenForm(form): OpenForm<LoginForm>,
) -> PageResult {
    match session::sign_in(&state, client.ip(), &form.email, &form.password).await {
        Ok(signed_in) => {
            let next = super::local_path(&form.next);
            let to = match signed_in.next {
                "done" => next.to_string(),
                // Returning users give their code next; the page asked for comes after.
                "enter_totp" if next != "/" => format!(
                    "/login/code?{}",
                    serde_urlencoded::to_string([("next", next)]).unwrap_or_default()
                ),
                step => step_page(step).to_string(),
            };
            Ok(redirect_with_cookie(signed_in.cookie, &to))
        }
        Err(error) => Ok((
            error.status,
            login_page(Some(&error.message), form.email.trim(), &form.next),
        )
            .into_response()),
    }
}

fn code_page(message: Option<&str>, csrf: &str, next: &str) -> Markup {
    bare_page(
        "Enter your code",
        html! {
            h1 { "Enter the code from your authenticator app" }
            (problem(message))
            form.stack method="post" action="/login/code" {
                input type="hidden" name="csrf" value=(csrf);
                (next_field(next))
                label for="code" { "Six-digit code" }
                input #code name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9 ]{6,7}" maxlength="7" required autofocus;
                div.actions { button type="submit" { "Continue" } }
            }
            p.hint { "Lost the phone with the app? Ask your administrator to reset your second factor." }
        },
    )
}

/// `GET /login/code?next=`.
pub async fn code_form(visitor: Visitor, Query(next): Query<Next>) -> Markup {
    code_page(None, super::csrf_of(&visitor.0), &next.next)
}

/// A form with one code.
#[derive(Debug, Deserialize)]
pub struct CodeForm {
    code: String,
    #[serde(default)]
    next: String,
}

/// `POST /login/code`.
pub async fn code(
    State(state): State<AppState>,
    visitor: Visitor,
    CsrfForm(form): CsrfForm<CodeForm>,
) -> PageResult {
    let code: String = form.code.chars().filter(|c| !c.is_whitespace()).collect();
    match session::verify_code(&state, &visitor.0, &code).await {
        Ok((cookie, _)) => Ok(redirect_with_cookie(cookie, super::local_path(&form.next))),
        Err(error) => Ok((
            error.status,
            code_page(Some(&error.message), super::csrf_of(&visitor.0), &form.next),
        )
            .into_response()),
    }
}

fn password_page(message: Option<&str>, csrf: &str, first_time: bool) -> Markup {
    bare_page(
        "Choose a new password",
        html! {
            h1 { "Choose a new password" }
            @if first_time {
                p { "You signed in with a one-time password. Choose your own before you go on." }
            }
            (problem(message))
            form.stack method="post" action="/account/password" {
                input type="hidden" name="csrf" value=(csrf);
                label for="current" { "Current password" }
                input #current type="password" name="current_password" autocomplete="current-password" required;
                label for="new" { "New password" }
                input #new type="password" name="new_password" autocomplete="new-password" minlength="12" required aria-describedby="new-hint";
                p.hint #new-hint { "At least 12 characters. A few unrelated words make a strong password that is easy to remember." }
                label for="repeat" { "New password again" }
                input #repeat type="password" name="repeat_password" autocomplete="new-password" required;
                div.actions { button type="submit" { "Save the new password" } }
            }
        },
    )
}

/// `GET /account/password`.
pub async fn password_form(visitor: Visitor) -> Markup {
    password_page(
        None,
        super::csrf_of(&visitor.0),
        visitor.0.must_change_password,
    )
}

/// The password form's fields.
#[derive(Debug, Deserialize)]
pub struct PasswordForm {
    current_password: String,
    new_password: String,
    repeat_password: String,
}

/// `POST /account/password`.
pub async fn password(
    State(state): State<AppState>,
    visitor: Visitor,
    CsrfForm(form): CsrfForm<PasswordForm>,
) -> PageResult {
    let signed = &visitor.0;
    let again = |status: StatusCode, message: &str| {
        (
            status,
            password_page(
                Some(message),
                super::csrf_of(signed),
                signed.must_change_password,
            ),
        )
            .into_response()
    };
    if form.new_password != form.repeat_password {
        return Ok(again(
            StatusCode::BAD_REQUEST,
            "The two new passwords differ; type the same password twice.",
        ));
    }
    match session::set_password(&state, signed, &form.current_password, &form.new_password).await {
        Ok(next) => Ok(Redirect::to(step_page(next)).into_response()),
        Err(error) => Ok(again(error.status, &error.message)),
    }
}

/// The QR code of an `otpauth://` address as SVG (dark modules as one path).
pub fn qr_svg(text: &str) -> Option<String> {
    let code = qrcode::QrCode::new(text.as_bytes()).ok()?;
    let width = code.width();
    let colors = code.to_colors();
    let quiet = 4;
    let size = width + 2 * quiet;
    let mut path = String::new();
    for (i, color) in colors.iter().enumerate() {
        if *color == qrcode::Color::Dark {
            let (x, y) = (i % width + quiet, i / width + quiet);
            path.push_str(&format!("M{x} {y}h1v1h-1z"));
        }
    }
    Some(format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" shape-rendering="crispEdges" role="img" aria-label="QR code for the authenticator app"><rect width="{size}" height="{size}" fill="#fff"/><path d="{path}" fill="#000"/></svg>"##
    ))
}

/// The secret in groups of four, easier to type into an app by hand.
fn grouped(secret: &str) -> String {
    secret
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

fn authenticator_page(message: Option<&str>, csrf: &str, secret: &str, email: &str) -> Markup {
    let url = crate::auth::totp::otpauth_url(secret, email);
    bare_page(
        "Set up your authenticator app",
        html! {
            h1 { "Set up your authenticator app" }
            p { "Your role can see patient-related security data, so signing in needs a second step: a six-digit code from an app on your phone (Microsoft Authenticator, Google Authenticator, 1Password, or similar)." }
            ol {
                li { "Open the app and choose to add an account." }
                li { "Scan this QR code, or type the key below." }
                li { "Enter the six-digit code the app shows." }
            }
            (problem(message))
            div.qr {
                @if let Some(svg) = qr_svg(&url) { (PreEscaped(svg)) }
            }
            p { "Key: " code #totp-secret data-secret=(secret) { (grouped(secret)) } " "
                button.secondary type="button" data-copy="totp-secret" { "Copy" } }
            form.stack method="post" action="/account/authenticator" {
                input type="hidden" name="csrf" value=(csrf);
                label for="code" { "Six-digit code from the app" }
                input #code name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9 ]{6,7}" maxlength="7" required;
                div.actions { button type="submit" { "Turn on the second step" } }
            }
        },
    )
}

/// `GET /account/authenticator`: draws a new key each time the page is opened.
pub async fn authenticator_form(State(state): State<AppState>, visitor: Visitor) -> PageResult {
    let signed = &visitor.0;
    if signed.totp_enabled || signed.must_change_password {
        return Ok(Redirect::to(step_page(session::next_step_of(signed))).into_response());
    }
    let (secret, _) = session::begin_authenticator(&state, signed).await?;
    Ok(authenticator_page(None, super::csrf_of(signed), &secret, &signed.email).into_response())
}

/// `POST /account/authenticator`.
pub async fn authenticator(
    State(state): State<AppState>,
    visitor: Visitor,
    CsrfForm(form): CsrfForm<CodeForm>,
) -> PageResult {
    let signed = &visitor.0;
    let code: String = form.code.chars().filter(|c| !c.is_whitespace()).collect();
    match session::confirm_authenticator(&state, signed, &code).await {
        Ok((cookie, _)) => Ok(redirect_with_cookie(cookie, "/")),
        Err(error) => {
            // Show the same key again: the person has already added it to their app.
            let secret: Option<String> =
                sqlx::query_scalar("SELECT totp_secret FROM users WHERE id = $1")
                    .bind(signed.user_id)
                    .fetch_optional(&state.db.read)
                    .await?
                    .flatten();
            let Some(secret) = secret.and_then(|s| session::open_secret(&state, &s)) else {
                return Ok(Redirect::to("/account/authenticator").into_response());
            };
            Ok((
                error.status,
                authenticator_page(
                    Some(&error.message),
                    super::csrf_of(signed),
                    &secret,
                    &signed.email,
                ),
            )
                .into_response())
        }
    }
}

/// No fields besides the CSRF token.
#[derive(Debug, Deserialize)]
pub struct Empty {}

/// `POST /logout`.
pub async fn logout(
    State(state): State<AppState>,
    visitor: Visitor,
    CsrfForm(_): CsrfForm<Empty>,
) -> PageResult {
    let cookie = session::end_session(&state, &visitor.0).await?;
    Ok(redirect_with_cookie(cookie, "/login"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_paths_on_this_server_are_followed_after_sign_in() {
        use super::super::local_path;
        assert_eq!(local_path("/hosts/12?x=1"), "/hosts/12?x=1");
        for outside in [
            "//evil.example/x",
            "https://evil.example",
            "/\\evil",
            "",
            "/a\nb",
        ] {
            assert_eq!(local_path(outside), "/", "{outside:?}");
        }
    }

    #[test]
    fn the_qr_code_is_an_svg_with_modules() {
        let svg =
            super::qr_svg("otpauth://totp/Hygeia:a@b.example?secret=JBSWY3DPEHPK3PXP").unwrap();
        assert!(svg.starts_with("<svg") && svg.matches('M').count() > 100);
        assert_eq!(super::grouped("ABCDEFGHIJ"), "ABCD EFGH IJ");
    }
}
