//! Who may do what: the one place where access is decided.
//!
//! Every route declares the [`Access`] it needs; the web layer asks
//! [`check`] before the handler runs. Rules about a particular record (an
//! organisation's admin editing *that* organisation) are checked by the
//! services with [`Principal::is_admin_of`] and friends.

use crate::organization::{Approval, OrgKind, OrgRole, PlatformRole};

/// The organisation a signed-in person acts for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Membership {
    pub org_id: i64,
    pub kind: OrgKind,
    pub approval: Approval,
    pub role: OrgRole,
}

/// A signed-in person, as far as access is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Principal {
    pub user_id: i64,
    pub platform_role: PlatformRole,
    pub suspended: bool,
    pub membership: Option<Membership>,
}

/// What a route requires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Access {
    /// Anyone, signed in or not.
    Public,
    /// Anyone signed in (and not suspended).
    SignedIn,
    /// A member of any organisation.
    OrgMember,
    /// The admin of their organisation.
    OrgAdmin,
    /// A member of a supplier organisation.
    Supplier,
    /// A member of a buyer organisation whose approval came through.
    ApprovedBuyer,
    /// Approved buyers, coordinators and platform admins (bookmarking suppliers).
    BuyerOrCoordinator,
    /// Coordinators and platform admins.
    Coordinator,
    /// Platform admins.
    PlatformAdmin,
}

/// Why access was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Denial {
    /// Not signed in: sign in and come back (HTTP 401, or a redirect to the login page).
    SignInRequired,
    /// The account is suspended (HTTP 403).
    Suspended,
    /// Signed in, but not allowed (HTTP 403); the reason is a stable code.
    Forbidden(&'static str),
}

impl Denial {
    pub fn code(self) -> &'static str {
        match self {
            Denial::SignInRequired => "sign_in_required",
            Denial::Suspended => "account_suspended",
            Denial::Forbidden(code) => code,
        }
    }

    pub fn message_ja(self) -> &'static str {
        match self {
            Denial::SignInRequired => "この操作を行うにはログインしてください。",
            Denial::Suspended => {
                "このアカウントは利用停止中です。運営事務局にお問い合わせください。"
            }
            Denial::Forbidden("organization_required") => "所属組織の登録が必要です。",
            Denial::Forbidden("org_admin_required") => "組織の管理者のみが行える操作です。",
            Denial::Forbidden("supplier_required") => "受注者（登録企業）のみが行える操作です。",
            Denial::Forbidden("buyer_approval_required") => {
                "発注機関としての承認後に行える操作です。"
            }
            Denial::Forbidden("coordinator_required") => "コーディネーターのみが行える操作です。",
            Denial::Forbidden("admin_required") => "システム管理者のみが行える操作です。",
            Denial::Forbidden(_) => "この操作を行う権限がありません。",
        }
    }

    pub fn message_en(self) -> &'static str {
        match self {
            Denial::SignInRequired => "Please sign in to do this.",
            Denial::Suspended => "This account is suspended. Please contact the Musubi office.",
            Denial::Forbidden("organization_required") => {
                "You need to belong to an organisation first."
            }
            Denial::Forbidden("org_admin_required") => {
                "Only your organisation's administrator can do this."
            }
            Denial::Forbidden("supplier_required") => "Only supplier companies can do this.",
            Denial::Forbidden("buyer_approval_required") => {
                "Your buyer organisation must be approved first."
            }
            Denial::Forbidden("coordinator_required") => "Only coordinators can do this.",
            Denial::Forbidden("admin_required") => "Only platform administrators can do this.",
            Denial::Forbidden(_) => "You are not allowed to do this.",
        }
    }
}

impl Principal {
    pub fn is_platform_admin(&self) -> bool {
        self.platform_role == PlatformRole::Admin
    }

    pub fn is_coordinator(&self) -> bool {
        matches!(
            self.platform_role,
            PlatformRole::Coordinator | PlatformRole::Admin
        )
    }

    pub fn org_id(&self) -> Option<i64> {
        self.membership.map(|m| m.org_id)
    }

    /// Admin of `org_id`, or a platform admin (who may act on any organisation).
    pub fn is_admin_of(&self, org_id: i64) -> bool {
        self.is_platform_admin()
            || self
                .membership
                .is_some_and(|m| m.org_id == org_id && m.role == OrgRole::Admin)
    }

    pub fn is_approved_buyer(&self) -> bool {
        self.membership
            .is_some_and(|m| m.kind.is_buyer() && m.approval == Approval::Approved)
    }
}

/// Decides whether `principal` (None: anonymous) may use something that needs `access`.
pub fn check(principal: Option<&Principal>, access: Access) -> Result<(), Denial> {
    if access == Access::Public {
        return Ok(());
    }
    let p = principal.ok_or(Denial::SignInRequired)?;
    if p.suspended {
        return Err(Denial::Suspended);
    }
    let member = p.membership;
    let ok = |cond: bool, why: &'static str| {
        if cond {
            Ok(())
        } else {
            Err(Denial::Forbidden(why))
        }
    };
    match access {
        Access::Public | Access::SignedIn => Ok(()),
        Access::OrgMember => ok(member.is_some(), "organization_required"),
        Access::OrgAdmin => {
            ok(member.is_some(), "organization_required")?;
            ok(
                member.is_some_and(|m| m.role == OrgRole::Admin),
                "org_admin_required",
            )
        }
        Access::Supplier => ok(
            member.is_some_and(|m| m.kind == OrgKind::Supplier),
            "supplier_required",
        ),
        Access::ApprovedBuyer => ok(p.is_approved_buyer(), "buyer_approval_required"),
        Access::BuyerOrCoordinator => ok(
            p.is_approved_buyer() || p.is_coordinator(),
            "buyer_approval_required",
        ),
        Access::Coordinator => ok(p.is_coordinator(), "coordinator_required"),
        Access::PlatformAdmin => ok(p.is_platform_admin(), "admin_required"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(role: PlatformRole, m: Option<(OrgKind, Approval, OrgRole)>) -> Principal {
        Principal {
            user_id: 1,
            platform_role: role,
            suspended: false,
            membership: m.map(|(kind, approval, role)| Membership {
                org_id: 7,
                kind,
                approval,
                role,
            }),
        }
    }

    #[test]
    fn matrix() {
        use Access::*;
        let supplier = user(
            PlatformRole::User,
            Some((OrgKind::Supplier, Approval::NotRequired, OrgRole::Member)),
        );
        let pending = user(
            PlatformRole::User,
            Some((OrgKind::PublicBody, Approval::Pending, OrgRole::Admin)),
        );
        let buyer = user(
            PlatformRole::User,
            Some((OrgKind::PublicBody, Approval::Approved, OrgRole::Member)),
        );
        let coord = user(PlatformRole::Coordinator, None);
        let admin = user(PlatformRole::Admin, None);
        let mut suspended = buyer;
        suspended.suspended = true;
        assert_eq!(check(None, Public), Ok(()));
        assert_eq!(check(None, SignedIn), Err(Denial::SignInRequired));
        assert_eq!(check(Some(&suspended), SignedIn), Err(Denial::Suspended));
        assert_eq!(check(Some(&supplier), Supplier), Ok(()));
        assert_eq!(
            check(Some(&supplier), OrgAdmin),
            Err(Denial::Forbidden("org_admin_required"))
        );
        assert_eq!(check(Some(&pending), OrgAdmin), Ok(()));
        assert_eq!(
            check(Some(&pending), ApprovedBuyer),
            Err(Denial::Forbidden("buyer_approval_required"))
        );
        assert_eq!(check(Some(&buyer), ApprovedBuyer), Ok(()));
        assert_eq!(check(Some(&buyer), BuyerOrCoordinator), Ok(()));
        assert_eq!(check(Some(&coord), BuyerOrCoordinator), Ok(()));
        assert_eq!(
            check(Some(&coord), PlatformAdmin),
            Err(Denial::Forbidden("admin_required"))
        );
        assert_eq!(check(Some(&admin), Coordinator), Ok(()));
        assert!(admin.is_admin_of(99));
        assert!(pending.is_admin_of(7) && !pending.is_admin_of(8));
    }
}
