// Depression level per session for every student with at least two sessions (trend view).
MATCH (st:Student)-[:HAS_SESSION]->(s:Session)-[:HAS_ASSESSMENT]->(a:Assessment)
WITH st, s, a ORDER BY s.recorded_at
WITH st, collect([s.recorded_at, a.depression_level, a.suicide_risk]) AS timeline
WHERE size(timeline) >= 2
RETURN st.id AS student, timeline;
