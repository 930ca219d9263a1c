-- People, the organisations they act for, company profiles and the audit log.
-- 
CREATE TABLE users (
    id                BIGSERIAL PRIMARY KEY,
    email             TEXT    NOT NULL UNIQUE,
    password_hash     TEXT    NOT NULL,
    display_name      TEXT    NOT NULL,
    locale            TEXT    NOT NULL DEFAULT 'ja' CHECK (locale IN ('ja', 'en')),
    platform_role     TEXT    NOT NULL DEFAULT 'user' CHECK (platform_role IN ('user', 'coordinator', 'admin')),
    email_verified_at TIMESTAMPTZ,
    suspended_at      TIMESTAMPTZ,
    suspended_reason  TEXT,
    created_at        TIMESTAMPTZ NOT NULL,
    updated_at        TIMESTAMPTZ NOT NULL
);

CREATE TABLE coordinator_areas (
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    prefecture TEXT    NOT NULL,
    PRIMARY KEY (user_id, prefecture)
);

CREATE TABLE sessions (
    id           BIGSERIAL PRIMARY KEY,
    token_hash   TEXT    NOT NULL UNIQUE,
    user_id      BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token   TEXT    NOT NULL,
    ip           TEXT,
    user_agent   TEXT,
    created_at   TIMESTAMPTZ NOT NULL,
    expires_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

-- One-time tokens sent by mail: e-mail verification, password reset.
CREATE TABLE user_tokens (
    id         BIGSERIAL PRIMARY KEY,
    token_hash TEXT    NOT NULL UNIQUE,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose    TEXT    NOT NULL CHECK (purpose IN ('verify_email', 'reset_password')),
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    used_at    TIMESTAMPTZ
);

CREATE TABLE api_tokens (
    id           BIGSERIAL PRIMARY KEY,
    user_id      BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT    NOT NULL,
    token_hash   TEXT    NOT NULL UNIQUE,
    prefix       TEXT    NOT NULL,
    scope        TEXT    NOT NULL CHECK (scope IN ('read', 'write')),
    created_at   TIMESTAMPTZ NOT NULL,
    last_used_at TIMESTAMPTZ,
    revoked_at   TIMESTAMPTZ
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

CREATE TABLE login_attempts (
    id           BIGSERIAL PRIMARY KEY,
    email        TEXT    NOT NULL,
    ip           TEXT    NOT NULL,
    succeeded    BOOLEAN NOT NULL,
    attempted_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX login_attempts_email ON login_attempts (email, attempted_at);
CREATE INDEX login_attempts_ip ON login_attempts (ip, attempted_at);

CREATE TABLE organizations (
    id               BIGSERIAL PRIMARY KEY,
    kind             TEXT    NOT NULL CHECK (kind IN ('supplier', 'public_body', 'public_corporation', 'private_company')),
    name             TEXT    NOT NULL,
    name_kana        TEXT    NOT NULL,
    corporate_number TEXT    UNIQUE,
    approval         TEXT    NOT NULL CHECK (approval IN ('not_required', 'pending', 'approved', 'rejected')),
    approval_reason  TEXT,
    decided_by       BIGINT REFERENCES users (id),
    decided_at       TIMESTAMPTZ,
    created_at       TIMESTAMPTZ NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL
);
CREATE INDEX organizations_approval ON organizations (approval, created_at);
CREATE INDEX organizations_kana ON organizations (kind, name_kana, id);

-- A person acts for one organisation.
CREATE TABLE memberships (
    user_id         BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    organization_id BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    role            TEXT    NOT NULL CHECK (role IN ('admin', 'member')),
    created_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX memberships_org ON memberships (organization_id);

CREATE TABLE invitations (
    id              BIGSERIAL PRIMARY KEY,
    token_hash      TEXT    NOT NULL UNIQUE,
    organization_id BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    email           TEXT    NOT NULL,
    role            TEXT    NOT NULL CHECK (role IN ('admin', 'member')),
    invited_by      BIGINT NOT NULL REFERENCES users (id),
    created_at      TIMESTAMPTZ NOT NULL,
    expires_at      TIMESTAMPTZ NOT NULL,
    accepted_at     TIMESTAMPTZ
);

CREATE TABLE company_profiles (
    organization_id BIGINT PRIMARY KEY REFERENCES organizations (id) ON DELETE CASCADE,
    representative  TEXT    NOT NULL,
    prefecture      TEXT    NOT NULL,
    municipality    TEXT,
    address_line    TEXT    NOT NULL,
    capabilities    TEXT    NOT NULL,
    employees       INTEGER,
    capital_yen     BIGINT,
    founded_year    INTEGER,
    website         TEXT,
    contact_email   TEXT,
    contact_phone   TEXT,
    version         INTEGER NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL,
    -- A copy of organizations.name_kana, kept by the triggers below, so the
    -- directory sorts 五十音順 without a join.
    name_kana       TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX company_profiles_prefecture ON company_profiles (prefecture, name_kana, organization_id);
CREATE INDEX company_profiles_kana ON company_profiles (name_kana, organization_id);
CREATE FUNCTION company_profiles_copy_kana() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.name_kana := (SELECT name_kana FROM organizations WHERE id = NEW.organization_id);
    RETURN NEW;
END $$;
CREATE TRIGGER company_profiles_kana_on_insert BEFORE INSERT ON company_profiles
    FOR EACH ROW EXECUTE FUNCTION company_profiles_copy_kana();
CREATE FUNCTION organizations_kana_to_profile() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE company_profiles SET name_kana = NEW.name_kana WHERE organization_id = NEW.id;
    RETURN NEW;
END $$;
CREATE TRIGGER organizations_kana_to_profile AFTER UPDATE OF name_kana ON organizations
    FOR EACH ROW EXECUTE FUNCTION organizations_kana_to_profile();
CREATE INDEX company_profiles_updated ON company_profiles (updated_at, organization_id);

CREATE TABLE company_jsic (
    organization_id BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    code            TEXT    NOT NULL,
    division        TEXT    NOT NULL,
    PRIMARY KEY (organization_id, code)
);
CREATE INDEX company_jsic_code ON company_jsic (code, organization_id);
CREATE INDEX company_jsic_division ON company_jsic (division, organization_id);

CREATE TABLE company_certifications (
    organization_id BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    certification   TEXT    NOT NULL,
    PRIMARY KEY (organization_id, certification)
);
CREATE INDEX company_certifications_cert ON company_certifications (certification, organization_id);

CREATE TABLE company_grades (
    organization_id BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    category        TEXT    NOT NULL CHECK (category IN ('goods', 'works', 'services')),
    grade           TEXT    NOT NULL CHECK (grade IN ('A', 'B', 'C', 'D')),
    PRIMARY KEY (organization_id, category)
);
CREATE INDEX company_grades_grade ON company_grades (grade, organization_id);
CREATE INDEX company_grades_category ON company_grades (category, grade, organization_id);

CREATE TABLE catalogue_items (
    id              BIGSERIAL PRIMARY KEY,
    organization_id BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    position        INTEGER NOT NULL,
    title           TEXT    NOT NULL,
    description     TEXT    NOT NULL
);
CREATE INDEX catalogue_items_org ON catalogue_items (organization_id, position);

-- Every saved version of a profile, as JSON, for the change history.
CREATE TABLE company_profile_versions (
    id              BIGSERIAL PRIMARY KEY,
    organization_id BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    version         INTEGER NOT NULL,
    changed_by      BIGINT REFERENCES users (id),
    changed_at      TIMESTAMPTZ NOT NULL,
    snapshot        JSONB   NOT NULL ,
    UNIQUE (organization_id, version)
);

CREATE TABLE favourites (
    user_id         BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    organization_id BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    created_at      TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (user_id, organization_id)
);

CREATE TABLE audit_log (
    id            BIGSERIAL PRIMARY KEY,
    at            TIMESTAMPTZ NOT NULL,
    actor_user_id BIGINT,
    ip            TEXT,
    action        TEXT    NOT NULL,
    subject_type  TEXT    NOT NULL,
    subject_id    BIGINT,
    detail        JSONB   NOT NULL 
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_actor ON audit_log (actor_user_id, at);
