-- 0001: the OrleansQuery catalog shared by the Orleans ADO.NET providers.
--
-- Why: the Orleans ADO.NET providers (clustering, grain persistence) never embed
-- SQL of their own. At startup each one runs
--     SELECT QueryKey, QueryText FROM OrleansQuery
-- and afterwards executes only the texts it finds there, binding its own
-- @-prefixed parameters and reading result columns by name. Later migrations
-- (0002 clustering, 0003 persistence) add their tables, helper functions and
-- the catalog rows they need.
--
-- Identifiers are deliberately unquoted: the provider's own SELECT above is
-- unquoted, so PostgreSQL folds everything to lower case on both sides.

CREATE TABLE OrleansQuery
(
    -- Lookup key used by the provider code, e.g. 'MembershipReadAllKey'.
    QueryKey  varchar(64) NOT NULL,
    -- SQL text executed by the provider (parameters written as @Name).
    QueryText text        NOT NULL,

    CONSTRAINT PK_OrleansQuery PRIMARY KEY (QueryKey)
);

COMMENT ON TABLE OrleansQuery IS
    'Operational SQL used by the Orleans ADO.NET providers, read once at provider startup.';
