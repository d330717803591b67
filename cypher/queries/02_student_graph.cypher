// A student's graph: sessions, feature texts, the concepts they align to, and assessments.
// Parameter: $student. Best viewed as a graph in Neo4j Browser (MindKG's style colours labels).
MATCH p = (st:Student {id: $student})-[:HAS_SESSION]->(s:Session)-[:HAS_FEATURE]->(f:FeatureText)
OPTIONAL MATCH q = (f)-[:ALIGNED_TO]->(c:Concept)
OPTIONAL MATCH r = (s)-[:HAS_ASSESSMENT]->(a:Assessment)
RETURN p, q, r;
