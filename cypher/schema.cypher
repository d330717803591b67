// MindKG graph schema for Neo4j 5.26. Applied by every store's ensure_schema() before any
// MERGE, and by `mindkg neo4j schema`. Idempotent (IF NOT EXISTS). Every node has a unique `id`.
CREATE CONSTRAINT student_id IF NOT EXISTS FOR (n:Student) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT session_id IF NOT EXISTS FOR (n:Session) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT feature_text_id IF NOT EXISTS FOR (n:FeatureText) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT concept_id IF NOT EXISTS FOR (n:Concept) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT assessment_id IF NOT EXISTS FOR (n:Assessment) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT source_id IF NOT EXISTS FOR (n:Source) REQUIRE n.id IS UNIQUE;
// Lookups psychologists and the aligner make often.
CREATE INDEX session_recorded_at IF NOT EXISTS FOR (n:Session) ON (n.recorded_at);
CREATE INDEX feature_text_kind IF NOT EXISTS FOR (n:FeatureText) ON (n.kind);
CREATE INDEX concept_type IF NOT EXISTS FOR (n:Concept) ON (n.type);
CREATE INDEX concept_name_zh IF NOT EXISTS FOR (n:Concept) ON (n.name_zh);
CREATE INDEX concept_name_en IF NOT EXISTS FOR (n:Concept) ON (n.name_en);
CREATE INDEX assessment_risk IF NOT EXISTS FOR (n:Assessment) ON (n.suicide_risk);
CREATE FULLTEXT INDEX concept_names IF NOT EXISTS FOR (n:Concept) ON EACH [n.name_zh, n.name_en];
