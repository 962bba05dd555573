-- grant-db behind the owner role (docs/decisions/033-staff-console.md, section 4):
-- the runtime role has no CREATEROLE, so the steps that make and disable an
-- app's reader role run as the functions' owner, the role that runs the
-- migrations. The runtime may call them (scripts/db/roles.ts grants EXECUTE on
-- public functions); nobody else may: app roles see public through PUBLIC.
-- No role name appears here, so shadow and template databases replay it unchanged.

-- Creates the app's login role, or gives its role a new password and LOGIN
-- again; either way it may connect and read schema "shared" only. The caller
-- computes the SCRAM verifier (the password never reaches the server) and the
-- name of a new role. NULL for an unknown app; 55000 for a disabled one.
CREATE FUNCTION accord_grant_app_role(p_app uuid, p_new_role text, p_scram_verifier text) RETURNS text
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
DECLARE
  v_database text := current_database();
  v_comment text := format('Accord app %s of database %s (npm run apps -- grant-db)', p_app, current_database());
  v_disabled boolean;
  v_current text;
  v_role text;
  v_limits text := 'NOINHERIT NOCREATEROLE CONNECTION LIMIT 10';
  -- ALTER ROLE may name NOCREATEDB only as a role that has CREATEDB (PostgreSQL 16+).
  v_may_createdb boolean := (SELECT rolcreatedb FROM pg_roles WHERE rolname = current_user);
BEGIN
  IF p_scram_verifier IS NULL OR p_scram_verifier !~ '^SCRAM-SHA-256\$[0-9]+:[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$' THEN
    RAISE EXCEPTION 'a SCRAM-SHA-256 verifier is required, never a password' USING ERRCODE = '22023';
  END IF;
  IF p_new_role IS NULL OR p_new_role !~ '^[a-z][a-z0-9_]{1,62}$' THEN
    RAISE EXCEPTION 'invalid role name %', p_new_role USING ERRCODE = '22023';
  END IF;

  -- One grant-db of this app at a time.
  SELECT a.db_role, a.disabled_at IS NOT NULL INTO v_current, v_disabled FROM apps a WHERE a.id = p_app FOR UPDATE;
  IF NOT FOUND THEN
    RETURN NULL;
  END IF;
  IF v_disabled THEN
    RAISE EXCEPTION 'app % is disabled', p_app USING ERRCODE = '55000';
  END IF;

  -- Only the role made for this app and database is ever altered, whatever apps.db_role says.
  SELECT r.rolname INTO v_role FROM pg_roles r
  WHERE r.rolname = v_current AND shobj_description(r.oid, 'pg_authid') = v_comment;

  IF v_role IS NOT NULL THEN
    EXECUTE format('ALTER ROLE %I WITH LOGIN %s%s PASSWORD %L',
      v_role, v_limits, CASE WHEN v_may_createdb THEN ' NOCREATEDB' ELSE '' END, p_scram_verifier);
  ELSE
    v_role := p_new_role;
    EXECUTE format('CREATE ROLE %I WITH LOGIN NOSUPERUSER NOREPLICATION NOBYPASSRLS NOCREATEDB %s PASSWORD %L',
      v_role, v_limits, p_scram_verifier);
    EXECUTE format('COMMENT ON ROLE %I IS %L', v_role, v_comment);
  END IF;
  EXECUTE format('GRANT CONNECT ON DATABASE %I TO %I', v_database, v_role);
  -- No temporary functions to run on the views' values before they are logged
  -- (the migration does it too; a database copied from a template lost it).
  EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM PUBLIC', v_database);
  EXECUTE format('GRANT TEMPORARY ON DATABASE %I TO CURRENT_USER', v_database);
  EXECUTE format('GRANT USAGE ON SCHEMA shared TO %I', v_role);
  EXECUTE format('GRANT SELECT ON ALL TABLES IN SCHEMA shared TO %I', v_role);
  -- A view's functions are checked against its reader; without USAGE on
  -- shared_internal the role cannot call them other than through the views.
  EXECUTE format('GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA shared_internal TO %I', v_role);
  UPDATE apps SET db_role = v_role, updated_at = now() WHERE id = p_app;
  RETURN v_role;
END;
$$;

-- The app's role may no longer log in; its open sessions end where the owner
-- may signal them (pg_signal_backend). db_role NULL when the app has no role of
-- its own; no row for an unknown app.
CREATE FUNCTION accord_revoke_app_role(p_app uuid, OUT db_role text, OUT sessions_ended boolean)
RETURNS SETOF record
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
DECLARE
  v_current text;
  v_comment text := format('Accord app %s of database %s (npm run apps -- grant-db)', p_app, current_database());
BEGIN
  SELECT a.db_role INTO v_current FROM apps a WHERE a.id = p_app;
  IF NOT FOUND THEN
    RETURN;
  END IF;
  SELECT r.rolname INTO db_role FROM pg_roles r
  WHERE r.rolname = v_current AND shobj_description(r.oid, 'pg_authid') = v_comment;
  sessions_ended := false;
  IF db_role IS NOT NULL THEN
    EXECUTE format('ALTER ROLE %I WITH NOLOGIN', db_role);
    -- Ended before NOLOGIN commits, a moment later: a session opened in that
    -- moment would stay, which a second revoke ends.
    BEGIN
      PERFORM pg_terminate_backend(s.pid) FROM pg_stat_activity s WHERE s.usename = db_role;
      sessions_ended := true;
    EXCEPTION WHEN insufficient_privilege THEN
      sessions_ended := false;
    END;
  END IF;
  RETURN NEXT;
END;
$$;

REVOKE ALL ON FUNCTION accord_grant_app_role(uuid, text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION accord_revoke_app_role(uuid) FROM PUBLIC;
