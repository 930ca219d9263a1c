-- People, the organisations they act for, company profiles and the audit log.
-- Times are UTC microseconds since the Unix epoch.
CREATE TABLE users (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    email             TEXT    NOT NULL UNIQUE,
    password_hash     TEXT    NOT NULL,
    display_name      TEXT    NOT NULL,
    locale            TEXT    NOT NULL DEFAULT 'ja' CHECK (locale IN ('ja', 'en')),
    platform_role     TEXT    NOT NULL DEFAULT 'user' CHECK (platform_role IN ('user', 'coordinator', 'admin')),
    email_verified_at INTEGER,
    suspended_at      INTEGER,
    suspended_reason  TEXT,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL
) STRICT;

CREATE TABLE coordinator_areas (
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    prefecture TEXT    NOT NULL,
    PRIMARY KEY (user_id, prefecture)
) STRICT;

CREATE TABLE sessions (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    token_hash   TEXT    NOT NULL UNIQUE,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token   TEXT    NOT NULL,
    ip           TEXT,
    user_agent   TEXT,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL
) STRICT;
CREATE INDEX sessions_user ON sessions (user_id);

-- One-time tokens sent by mail: e-mail verification, password reset.
CREATE TABLE user_tokens (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    token_hash TEXT    NOT NULL UNIQUE,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose    TEXT    NOT NULL CHECK (purpose IN ('verify_email', 'reset_password')),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER
) STRICT;

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT    NOT NULL,
    token_hash   TEXT    NOT NULL UNIQUE,
    prefix       TEXT    NOT NULL,
    scope        TEXT    NOT NULL CHECK (scope IN ('read', 'write')),
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER,
    revoked_at   INTEGER
) STRICT;
CREATE INDEX api_tokens_user ON api_tokens (user_id);

CREATE TABLE login_attempts (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    email        TEXT    NOT NULL,
    ip           TEXT    NOT NULL,
    succeeded    INTEGER NOT NULL,
    attempted_at INTEGER NOT NULL
) STRICT;
CREATE INDEX login_attempts_email ON login_attempts (email, attempted_at);
CREATE INDEX login_attempts_ip ON login_attempts (ip, attempted_at);

CREATE TABLE organizations (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    kind             TEXT    NOT NULL CHECK (kind IN ('supplier', 'public_body', 'public_corporation', 'private_company')),
    name             TEXT    NOT NULL,
    name_kana        TEXT    NOT NULL,
    corporate_number TEXT    UNIQUE,
    approval         TEXT    NOT NULL CHECK (approval IN ('not_required', 'pending', 'approved', 'rejected')),
    approval_reason  TEXT,
    decided_by       INTEGER REFERENCES users (id),
    decided_at       INTEGER,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL
) STRICT;
CREATE INDEX organizations_approval ON organizations (approval, created_at);
CREATE INDEX organizations_kana ON organizations (kind, name_kana, id);

-- A person acts for one organisation.
CREATE TABLE memberships (
    user_id         INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    organization_id INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    role            TEXT    NOT NULL CHECK (role IN ('admin', 'member')),
    created_at      INTEGER NOT NULL
) STRICT;
CREATE INDEX memberships_org ON memberships (organization_id);

CREATE TABLE invitations (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    token_hash      TEXT    NOT NULL UNIQUE,
    organization_id INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    email           TEXT    NOT NULL,
    role            TEXT    NOT NULL CHECK (role IN ('admin', 'member')),
    invited_by      INTEGER NOT NULL REFERENCES users (id),
    created_at      INTEGER NOT NULL,
    expires_at      INTEGER NOT NULL,
    accepted_at     INTEGER
) STRICT;

CREATE TABLE company_profiles (
    organization_id INTEGER PRIMARY KEY REFERENCES organizations (id) ON DELETE CASCADE,
    representative  TEXT    NOT NULL,
    prefecture      TEXT    NOT NULL,
    municipality    TEXT,
    address_line    TEXT    NOT NULL,
    capabilities    TEXT    NOT NULL,
    employees       INTEGER,
    capital_yen     INTEGER,
    founded_year    INTEGER,
    website         TEXT,
    contact_email   TEXT,
    contact_phone   TEXT,
    version         INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    -- A copy of organizations.name_kana, kept by the triggers below, so the
    -- directory sorts 五十音順 without a join.
    name_kana       TEXT    NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX company_profiles_prefecture ON company_profiles (prefecture, organization_id);
CREATE INDEX company_profiles_kana ON company_profiles (name_kana, organization_id);
CREATE TRIGGER company_profiles_kana_on_insert AFTER INSERT ON company_profiles
BEGIN
    UPDATE company_profiles SET name_kana = (SELECT name_kana FROM organizations WHERE id = NEW.organization_id)
    WHERE organization_id = NEW.organization_id;
END;
CREATE TRIGGER organizations_kana_to_profile AFTER UPDATE OF name_kana ON organizations
BEGIN
    UPDATE company_profiles SET name_kana = NEW.name_kana WHERE organization_id = NEW.id;
END;
CREATE INDEX company_profiles_updated ON company_profiles (updated_at, organization_id);

CREATE TABLE company_jsic (
    organization_id INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    code            TEXT    NOT NULL,
    division        TEXT    NOT NULL,
    PRIMARY KEY (organization_id, code)
) STRICT;
CREATE INDEX company_jsic_code ON company_jsic (code, organization_id);
CREATE INDEX company_jsic_division ON company_jsic (division, organization_id);

CREATE TABLE company_certifications (
    organization_id INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    certification   TEXT    NOT NULL,
    PRIMARY KEY (organization_id, certification)
) STRICT;
CREATE INDEX company_certifications_cert ON company_certifications (certification, organization_id);

CREATE TABLE company_grades (
    organization_id INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    category        TEXT    NOT NULL CHECK (category IN ('goods', 'works', 'services')),
    grade           TEXT    NOT NULL CHECK (grade IN ('A', 'B', 'C', 'D')),
    PRIMARY KEY (organization_id, category)
) STRICT;
CREATE INDEX company_grades_grade ON company_grades (grade, organization_id);
CREATE INDEX company_grades_category ON company_grades (category, grade, organization_id);

CREATE TABLE catalogue_items (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    organization_id INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    position        INTEGER NOT NULL,
    title           TEXT    NOT NULL,
    description     TEXT    NOT NULL
) STRICT;
CREATE INDEX catalogue_items_org ON catalogue_items (organization_id, position);

-- Every saved version of a profile, as JSON, for the change history.
CREATE TABLE company_profile_versions (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    organization_id INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    version         INTEGER NOT NULL,
    changed_by      INTEGER REFERENCES users (id),
    changed_at      INTEGER NOT NULL,
    snapshot        TEXT    NOT NULL CHECK (json_valid(snapshot)),
    UNIQUE (organization_id, version)
) STRICT;

CREATE TABLE favourites (
    user_id         INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    organization_id INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    created_at      INTEGER NOT NULL,
    PRIMARY KEY (user_id, organization_id)
) STRICT;

CREATE TABLE audit_log (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    at            INTEGER NOT NULL,
    actor_user_id INTEGER,
    ip            TEXT,
    action        TEXT    NOT NULL,
    subject_type  TEXT    NOT NULL,
    subject_id    INTEGER,
    detail        TEXT    NOT NULL CHECK (json_valid(detail))
) STRICT;
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_actor ON audit_log (actor_user_id, at);
