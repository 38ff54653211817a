//! The reviewed SQL sk runs on (or prints for) a PostgreSQL remote: the remote schema and
//! the administrator's part. Role and team names are the only text put into it, and
//! only as a quoted identifier or a quoted literal made here; every value sk sends at
//! run time is a bound parameter instead.

use crate::SyncError;

/// The remote schema version this build writes and understands.
pub const CLIENT_SCHEMA: i32 = 1;

/// The default name of the NOLOGIN role that owns the `sk_sync` schema.
pub const DEFAULT_OWNER_ROLE: &str = "sk_sync_owner";
/// The default name of the NOLOGIN group role every sk user is granted.
pub const DEFAULT_USER_ROLE: &str = "sk_sync_user";

const REMOTE: &str = include_str!("../sql/remote.sql");
const ADMIN: &str = include_str!("../sql/admin.sql");
const ADD_USER: &str = include_str!("../sql/add_user.sql");

/// A role name sk puts into SQL: 1 to 63 bytes of ASCII letters, digits and `_ . @ -`.
/// Narrower than what PostgreSQL allows on purpose: the administrator's SQL is run as a
/// superuser and names the role in comments too, so a name must not be able to end a
/// comment line (a newline), a literal (a quote, or a backslash where
/// standard_conforming_strings is off), an identifier or a dollar-quoted block, nor be
/// silently truncated by the server.
fn check_role_name(name: &str) -> Result<(), SyncError> {
    let safe = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '@' | '-');
    if name.is_empty() || name.len() > 63 || !name.chars().all(safe) {
        return Err(SyncError::Usage(format!(
            "{name:?} is not a role name sk uses: 1 to 63 ASCII letters, digits, '_', '.', '@' or '-'"
        )));
    }
    Ok(())
}

/// Role `name` as a PostgreSQL identifier, in double quotes (it keeps its case).
pub fn quote_ident(name: &str) -> Result<String, SyncError> {
    check_role_name(name)?;
    Ok(format!("\"{name}\""))
}

/// Role `name` as a PostgreSQL string literal; for the printed administrator SQL, which has
/// no parameters.
pub fn quote_literal(name: &str) -> Result<String, SyncError> {
    check_role_name(name)?;
    Ok(format!("'{name}'"))
}

/// A team name the remote accepts (its CHECK constraint), checked before any SQL.
pub fn check_team(team: &str) -> Result<(), SyncError> {
    let mut chars = team.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphanumeric());
    let rest_ok = chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if first_ok && rest_ok && team.len() <= 63 {
        Ok(())
    } else {
        Err(SyncError::Usage(format!(
            "{team:?} is not a team name: 1 to 63 letters, digits, '.', '_' or '-', starting with a letter or digit"
        )))
    }
}

/// The remote schema (one transaction, as a member of `owner`).
pub fn remote_sql(owner: &str, users: &str) -> Result<String, SyncError> {
    Ok(REMOTE
        .replace("{owner}", &quote_ident(owner)?)
        .replace("{users}", &quote_ident(users)?))
}

/// Names in the administrator's SQL.
#[derive(Debug, Clone)]
pub struct AdminNames<'a> {
    pub team: &'a str,
    pub user: &'a str,
    pub owner_role: &'a str,
    pub user_role: &'a str,
}

/// Everything an administrator runs once per database (roles, grants), then the remote
/// schema, then adding `user` to `team`: one script for `psql -1 -f -`.
pub fn admin_sql(n: &AdminNames<'_>) -> Result<String, SyncError> {
    check_team(n.team)?;
    let admin = ADMIN
        .replace("{owner_lit}", &quote_literal(n.owner_role)?)
        .replace("{users_lit}", &quote_literal(n.user_role)?)
        .replace("{owner}", &quote_ident(n.owner_role)?)
        .replace("{users}", &quote_ident(n.user_role)?);
    let add = ADD_USER
        .replace("{user_lit}", &quote_literal(n.user)?)
        .replace("{team_lit}", &quote_literal(n.team)?)
        .replace("{owner}", &quote_ident(n.owner_role)?)
        .replace("{users}", &quote_ident(n.user_role)?)
        .replace("{user}", &quote_ident(n.user)?);
    Ok(format!(
        "{admin}\n{}{add}",
        remote_sql(n.owner_role, n.user_role)?
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_names_cannot_break_out_of_quotes_literals_or_comments() {
        assert_eq!(
            quote_ident("Alice.Smith@corp-1").expect("test step"),
            "\"Alice.Smith@corp-1\""
        );
        assert_eq!(quote_literal("alice_2").expect("test step"), "'alice_2'");
        for bad in [
            "",
            "a\"; DROP TABLE x; --",
            "o'brien",
            "m\nCREATE TABLE injected();--",
            "a\\",
            "$sk$",
            "a b",
            "a\0b",
            "{user}",
            "é",
        ] {
            assert!(
                quote_ident(bad).is_err() && quote_literal(bad).is_err(),
                "{bad:?}"
            );
        }
        assert!(quote_ident(&"x".repeat(64)).is_err());
        // The printed admin SQL refuses such a user before printing anything.
        let injected = admin_sql(&AdminNames {
            team: "team-a",
            user: "m\nCREATE TABLE injected();--",
            owner_role: DEFAULT_OWNER_ROLE,
            user_role: DEFAULT_USER_ROLE,
        });
        assert!(injected.is_err());
    }

    #[test]
    fn team_names_follow_the_remote_check() {
        assert!(check_team("team-a.1_x").is_ok());
        for bad in ["", "-a", "a b", "a'b", "é"] {
            assert!(check_team(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn no_placeholder_is_left_in_the_printed_sql() {
        let sql = admin_sql(&AdminNames {
            team: "team-a",
            user: "Alice",
            owner_role: DEFAULT_OWNER_ROLE,
            user_role: DEFAULT_USER_ROLE,
        })
        .expect("test step");
        for p in ["{owner", "{users", "{user}", "{user_lit}", "{team_lit}"] {
            assert!(!sql.contains(p), "{p} left in the SQL");
        }
        assert!(sql.contains("GRANT \"sk_sync_user\" TO \"Alice\""));
        assert!(sql.contains("VALUES ('team-a', 'Alice')"));
    }
}
