// A student's sessions over time, with the assessment of each (psychologist).
// Parameter: $student — the pseudonym shown in MindKG's output (e.g. stu_1a2b...).
// In Neo4j Browser: :param student => 'stu_...'
MATCH (st:Student {id: $student})-[:HAS_SESSION]->(s:Session)
OPTIONAL MATCH (s)-[:HAS_ASSESSMENT]->(a:Assessment)
OPTIONAL MATCH (s)-[:HAS_FEATURE]->(f:FeatureText)
RETURN s.session AS session, s.recorded_at AS recorded_at, s.modalities AS modalities,
       a.depression_level AS depression_level, a.suicide_risk AS suicide_risk,
       count(f) AS feature_texts
ORDER BY recorded_at;
