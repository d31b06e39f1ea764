-- 0002: Orleans cluster membership on PostgreSQL (Microsoft.Orleans.Clustering.AdoNet 10.4.x,
-- invariant "Npgsql").
--
-- Creates:
--   * OrleansMembershipVersionTable - one row per cluster (DeploymentId = ClusterId) carrying the
--     table version that every membership write must present (optimistic concurrency);
--   * OrleansMembershipTable        - one row per silo incarnation (address, port, generation);
--   * orleans_membership_insert_row / orleans_membership_update_row - helpers that apply a silo
--     row change and bump the table version atomically, or change nothing;
--   * the OrleansQuery rows the clustering provider loads at startup. The provider refuses to start
--     unless all nine required keys exist; CleanupDefunctSiloEntryKey (singular) is optional in
--     10.4.x and, when present, is used instead of the bulk CleanupDefunctSiloEntriesKey.
--
-- Contract notes (what the 10.4.x C# code relies on):
--   * parameters it binds: @DeploymentId, @Address, @Port, @Generation, @SiloName, @HostName,
--     @Status, @ProxyPort, @SuspectTimes, @StartTime, @IAmAliveTime, @Version; strings arrive as
--     text, integers as int4, DateTimes (UTC) as timestamptz;
--   * read queries must return columns named DeploymentId, Address, Port, Generation, SiloName,
--     HostName, Status, ProxyPort, SuspectTimes, StartTime, IAmAliveTime, Version (matched by name,
--     case-insensitively); Port/Generation/Status/ProxyPort are read with GetInt32, so they must be
--     integer (int4);
--   * the read queries must always yield at least one row (the version row), even with no silos;
--     a NULL StartTime marks "no silo in this row";
--   * insert/update/insert-version return a single column, non-zero meaning success;
--   * SiloStatus values used here: 3 = Active, 6 = Dead.

CREATE TABLE OrleansMembershipVersionTable
(
    DeploymentId text           NOT NULL,
    Timestamp    timestamptz(3) NOT NULL DEFAULT now(),
    Version      integer        NOT NULL DEFAULT 0,

    CONSTRAINT PK_OrleansMembershipVersionTable PRIMARY KEY (DeploymentId)
);

CREATE TABLE OrleansMembershipTable
(
    DeploymentId text           NOT NULL,
    Address      text           NOT NULL,
    Port         integer        NOT NULL,
    Generation   integer        NOT NULL,
    SiloName     text           NOT NULL,
    HostName     text           NOT NULL,
    Status       integer        NOT NULL,
    ProxyPort    integer        NOT NULL DEFAULT 0,
    -- "silo,date|silo,date" as formatted by Orleans; NULL or '' when nobody suspects the silo.
    SuspectTimes text           NULL,
    StartTime    timestamptz(3) NOT NULL,
    IAmAliveTime timestamptz(3) NOT NULL,

    CONSTRAINT PK_OrleansMembershipTable PRIMARY KEY (DeploymentId, Address, Port, Generation),
    CONSTRAINT FK_OrleansMembershipTable_Version FOREIGN KEY (DeploymentId)
        REFERENCES OrleansMembershipVersionTable (DeploymentId)
);

-- Adds a silo row if, and only if, the cluster's table version still equals the caller's
-- expected version and the silo row does not exist yet. On success the table version is
-- incremented and 1 is returned; otherwise nothing is changed and 0 is returned.
-- The version row is locked first, so concurrent writers are serialized on it; a writer that
-- waited re-checks the version after the lock is granted and loses if it moved.
CREATE FUNCTION orleans_membership_insert_row(
    p_cluster          text,
    p_address          text,
    p_port             integer,
    p_generation       integer,
    p_silo_name        text,
    p_host_name        text,
    p_status           integer,
    p_proxy_port       integer,
    p_start_time       timestamptz,
    p_i_am_alive_time  timestamptz,
    p_expected_version integer)
RETURNS integer
LANGUAGE plpgsql
VOLATILE
AS $body$
DECLARE
    v_rows integer;
BEGIN
    PERFORM 1
    FROM OrleansMembershipVersionTable
    WHERE DeploymentId = p_cluster
      AND Version = p_expected_version
    FOR UPDATE;

    IF NOT FOUND THEN
        RETURN 0;   -- unknown cluster, NULL/stale expected version
    END IF;

    INSERT INTO OrleansMembershipTable
        (DeploymentId, Address, Port, Generation, SiloName, HostName,
         Status, ProxyPort, StartTime, IAmAliveTime)
    VALUES
        (p_cluster, p_address, p_port, p_generation, p_silo_name, p_host_name,
         p_status, p_proxy_port, p_start_time, p_i_am_alive_time)
    ON CONFLICT (DeploymentId, Address, Port, Generation) DO NOTHING;

    GET DIAGNOSTICS v_rows = ROW_COUNT;
    IF v_rows = 0 THEN
        RETURN 0;   -- this silo incarnation is already registered; version left untouched
    END IF;

    UPDATE OrleansMembershipVersionTable
    SET Version = Version + 1,
        Timestamp = now()
    WHERE DeploymentId = p_cluster;

    RETURN 1;
END
$body$;

-- Changes status, suspicion list and heartbeat of an existing silo row under the same rule:
-- only when the table version matches, bumping it on success (1), otherwise no change (0).
CREATE FUNCTION orleans_membership_update_row(
    p_cluster          text,
    p_address          text,
    p_port             integer,
    p_generation       integer,
    p_status           integer,
    p_suspect_times    text,
    p_i_am_alive_time  timestamptz,
    p_expected_version integer)
RETURNS integer
LANGUAGE plpgsql
VOLATILE
AS $body$
DECLARE
    v_rows integer;
BEGIN
    PERFORM 1
    FROM OrleansMembershipVersionTable
    WHERE DeploymentId = p_cluster
      AND Version = p_expected_version
    FOR UPDATE;

    IF NOT FOUND THEN
        RETURN 0;
    END IF;

    UPDATE OrleansMembershipTable
    SET Status = p_status,
        SuspectTimes = p_suspect_times,
        IAmAliveTime = p_i_am_alive_time
    WHERE DeploymentId = p_cluster
      AND Address = p_address
      AND Port = p_port
      AND Generation = p_generation;

    GET DIAGNOSTICS v_rows = ROW_COUNT;
    IF v_rows = 0 THEN
        RETURN 0;   -- no such silo row; version left untouched
    END IF;

    UPDATE OrleansMembershipVersionTable
    SET Version = Version + 1,
        Timestamp = now()
    WHERE DeploymentId = p_cluster;

    RETURN 1;
END
$body$;

-- Query catalog. Texts are dollar-quoted ($q$) so that they need no quote doubling.
INSERT INTO OrleansQuery (QueryKey, QueryText)
VALUES
-- Called once per silo start (InitializeMembershipTable). Creates the cluster's version row at
-- version 0 unless it exists. Returns one column: 1 if created, 0 if it was already there.
(
'InsertMembershipVersionKey', $q$
WITH created AS (
    INSERT INTO OrleansMembershipVersionTable (DeploymentId)
    VALUES (@DeploymentId)
    ON CONFLICT (DeploymentId) DO NOTHING
    RETURNING 1
)
SELECT count(*)::integer AS Created FROM created;
$q$),

-- Registers a silo; see orleans_membership_insert_row. @Version is the table version the silo read.
(
'InsertMembershipKey', $q$
SELECT orleans_membership_insert_row(
    @DeploymentId, @Address, @Port, @Generation, @SiloName, @HostName,
    @Status, @ProxyPort, @StartTime, @IAmAliveTime, @Version) AS Inserted;
$q$),

-- Updates a silo's status/suspicions/heartbeat; see orleans_membership_update_row.
(
'UpdateMembershipKey', $q$
SELECT orleans_membership_update_row(
    @DeploymentId, @Address, @Port, @Generation,
    @Status, @SuspectTimes, @IAmAliveTime, @Version) AS Updated;
$q$),

-- Periodic heartbeat. Deliberately does not touch the table version; the result is not checked.
(
'UpdateIAmAlivetimeKey', $q$
UPDATE OrleansMembershipTable
SET IAmAliveTime = @IAmAliveTime
WHERE DeploymentId = @DeploymentId
  AND Address = @Address
  AND Port = @Port
  AND Generation = @Generation;
$q$),

-- One silo plus the table version. The silo filter sits in the join condition so the version
-- row comes back (with NULL silo columns) even when the silo is unknown.
(
'MembershipReadRowKey', $q$
SELECT
    v.DeploymentId,
    m.Address,
    m.Port,
    m.Generation,
    m.SiloName,
    m.HostName,
    m.Status,
    m.ProxyPort,
    m.SuspectTimes,
    m.StartTime,
    m.IAmAliveTime,
    v.Version
FROM OrleansMembershipVersionTable AS v
LEFT JOIN OrleansMembershipTable AS m
       ON m.DeploymentId = v.DeploymentId
      AND m.Address = @Address
      AND m.Port = @Port
      AND m.Generation = @Generation
WHERE v.DeploymentId = @DeploymentId;
$q$),

-- Every silo of the cluster plus the table version (again at least one row while the
-- version row exists).
(
'MembershipReadAllKey', $q$
SELECT
    v.DeploymentId,
    m.Address,
    m.Port,
    m.Generation,
    m.SiloName,
    m.HostName,
    m.Status,
    m.ProxyPort,
    m.SuspectTimes,
    m.StartTime,
    m.IAmAliveTime,
    v.Version
FROM OrleansMembershipVersionTable AS v
LEFT JOIN OrleansMembershipTable AS m
       ON m.DeploymentId = v.DeploymentId
WHERE v.DeploymentId = @DeploymentId;
$q$),

-- Drops a whole cluster (silo rows first because of the foreign key).
(
'DeleteMembershipTableEntriesKey', $q$
DELETE FROM OrleansMembershipTable WHERE DeploymentId = @DeploymentId;
DELETE FROM OrleansMembershipVersionTable WHERE DeploymentId = @DeploymentId;
$q$),

-- Gateway discovery for clients: active silos that expose a gateway port. @Status is 3 (Active).
-- Columns read: Address, ProxyPort, Generation.
(
'GatewaysQueryKey', $q$
SELECT
    Address,
    ProxyPort,
    Generation
FROM OrleansMembershipTable
WHERE DeploymentId = @DeploymentId
  AND Status = @Status
  AND ProxyPort > 0;
$q$),

-- Required key, bulk form of defunct-silo cleanup (@IAmAliveTime is the cutoff). 10.4.x only
-- runs it when CleanupDefunctSiloEntryKey below is missing. Removes Dead (6) silos that both
-- started and last heartbeated before the cutoff. The table version is not changed.
(
'CleanupDefunctSiloEntriesKey', $q$
DELETE FROM OrleansMembershipTable
WHERE DeploymentId = @DeploymentId
  AND Status = 6
  AND StartTime < @IAmAliveTime
  AND IAmAliveTime < @IAmAliveTime;
$q$),

-- Optional 10.4.x key, per-row cleanup. The provider reads all rows, picks the Dead ones it
-- considers defunct, then deletes each one only if it still holds exactly the values it read
-- (start time, heartbeat, suspicion list), so a row changed in the meantime survives.
-- NULL and '' suspicion lists are treated as equal. The table version is not changed.
(
'CleanupDefunctSiloEntryKey', $q$
DELETE FROM OrleansMembershipTable
WHERE DeploymentId = @DeploymentId
  AND Address = @Address
  AND Port = @Port
  AND Generation = @Generation
  AND Status = 6
  AND StartTime = @StartTime
  AND IAmAliveTime = @IAmAliveTime
  AND COALESCE(SuspectTimes, '') = COALESCE(@SuspectTimes, '');
$q$);
