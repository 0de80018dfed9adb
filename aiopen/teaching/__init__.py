"""The teaching layer: the exercises' generator, their checks and feedback, the grader and
its sandbox, a class at once, and the install check. It imports the domain, never the
views or the servers."""
