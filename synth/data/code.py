"""Code snippets by family. Each stack names one family, so a snippet always fits its stack.

Page-text rules every snippet obeys (checked by tests): every blank-line-separated chunk has at
least two lines, no line starts with ``  •``, no line has trailing spaces, no ``\\r``.
"""

from __future__ import annotations

SNIPPETS: dict[str, tuple[str, ...]] = {
    "python-fastapi": (
        "from fastapi import FastAPI\napp = FastAPI()\n\n@app.get('/health')\ndef health():\n"
        "    return {'ok': True}",
        "import time\nfrom fastapi import Request\n\n@app.middleware('http')\n"
        "async def timing(request: Request, call_next):\n    started = time.perf_counter()\n"
        "    response = await call_next(request)\n"
        "    response.headers['x-elapsed'] = f'{time.perf_counter() - started:.4f}'\n"
        "    return response",
        "def test_health(client):\n    response = client.get('/health')\n"
        "    assert response.status_code == 200\n    assert response.json() == {'ok': True}",
    ),
    "python-django": (
        "from django.http import JsonResponse\nfrom django.db import connection\n\n"
        "def health(request):\n    connection.ensure_connection()\n"
        "    return JsonResponse({'ok': True})",
        "posts = (\n    Post.objects.filter(published=True)\n    .select_related('author')\n"
        "    .prefetch_related('tags')[:50]\n)",
        "CACHES = {\n    'default': {\n        'BACKEND': 'django.core.cache.backends.redis.RedisCache',\n"
        "        'LOCATION': 'redis://127.0.0.1:6379/1',\n        'TIMEOUT': 300,\n    }\n}",
    ),
    "python-flask": (
        "from flask import Flask, jsonify\napp = Flask(__name__)\n\n@app.get('/health')\n"
        "def health():\n    return jsonify(ok=True)",
        "@app.errorhandler(413)\ndef too_large(error):\n"
        "    return jsonify(error='payload too large', limit_bytes=1048576), 413",
    ),
    "javascript-node": (
        "const express = require('express');\nconst app = express();\n\n"
        "app.get('/health', (req, res) => {\n  res.json({ ok: true });\n});",
        "app.use(express.json({ limit: '1mb' }));\napp.use((err, req, res, next) => {\n"
        "  res.status(err.status || 500).json({ error: err.message });\n});",
        "const started = process.hrtime.bigint();\nawait importBatch(items);\n"
        "const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;\n"
        "console.log(`imported ${items.length} items in ${elapsedMs} ms`);",
    ),
    "javascript-vue": (
        "import { ref, onMounted } from 'vue';\nconst posts = ref([]);\n\nonMounted(async () => {\n"
        "  const response = await fetch('/api/posts?limit=20');\n"
        "  posts.value = await response.json();\n});",
        "export default {\n  computed: {\n    visiblePosts() {\n"
        "      return this.posts.filter((post) => post.published);\n    },\n  },\n};",
    ),
    "typescript-react": (
        "import { useEffect, useState } from 'react';\nimport type { Post } from './types';\n\nexport function usePosts(limit: number) {\n"
        "  const [posts, setPosts] = useState<Post[]>([]);\n  useEffect(() => {\n"
        "    fetch(`/api/posts?limit=${limit}`).then((r) => r.json()).then(setPosts);\n"
        "  }, [limit]);\n  return posts;\n}",
        "type Post = {\n  reference: string;\n  title: string;\n  readingTime: number;\n};",
        "export const PostTitle = ({ post }: { post: Post }) => (\n"
        "  <h1 data-reference={post.reference}>{post.title}</h1>\n);",
    ),
    "typescript-next": (
        "export const revalidate = 300;\nexport const dynamic = 'force-static';\n\nexport default async function Page() {\n"
        "  const posts = await getPosts({ limit: 20 });\n"
        "  return <PostList posts={posts} />;\n}",
        "import { NextResponse } from 'next/server';\nexport const runtime = 'nodejs';\n\nexport async function GET() {\n"
        "  return NextResponse.json({ ok: true });\n}",
    ),
    "go-http": (
        "func health(w http.ResponseWriter, r *http.Request) {\n"
        '    w.Header().Set("Content-Type", "application/json")\n'
        '    w.Write([]byte(`{"ok":true}`))\n}',
        'srv := &http.Server{\n    Addr:         "127.0.0.1:8080",\n'
        "    ReadTimeout:  5 * time.Second,\n    WriteTimeout: 10 * time.Second,\n}\n"
        "log.Fatal(srv.ListenAndServe())",
        "ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)\ndefer cancel()\n\n"
        'row := db.QueryRowContext(ctx, "select count(*) from posts")\n'
        "if err := row.Scan(&count); err != nil {\n    return err\n}",
    ),
    "rust-axum": (
        "use axum::{routing::get, Json, Router};\nuse serde_json::{json, Value};\n\n"
        'async fn health() -> Json<Value> {\n    Json(json!({ "ok": true }))\n}',
        'let app = Router::new()\n    .route("/health", get(health))\n'
        "    .layer(DefaultBodyLimit::max(1024 * 1024));",
        "#[tokio::test]\nasync fn health_is_ok() {\n    let response = health().await;\n"
        '    assert_eq!(response.0["ok"], true);\n}',
    ),
    "php-plain": (
        "<?php\nheader('Content-Type: application/json');\n\n"
        "$pdo = new PDO($dsn, $user, $password);\necho json_encode(['ok' => true]);",
        "$stmt = $pdo->prepare('select id, title from posts where reference = ?');\n"
        "$stmt->execute([$reference]);\n$post = $stmt->fetch(PDO::FETCH_ASSOC);",
    ),
    "php-wordpress": (
        "add_action('rest_api_init', function () {\n"
        "    register_rest_route('anp/v1', '/health', [\n        'methods' => 'GET',\n"
        "        'callback' => fn () => ['ok' => true],\n"
        "        'permission_callback' => '__return_true',\n    ]);\n});",
        "$query = new WP_Query([\n    'post_type' => 'post',\n    'posts_per_page' => 20,\n"
        "    'no_found_rows' => true,\n]);",
        "wp_cache_set($key, $value, 'anp', 300);\n$cached = wp_cache_get($key, 'anp');",
    ),
    "php-laravel": (
        "Route::get('/health', function () {\n    return response()->json(['ok' => true]);\n});",
        "$posts = Post::with('author')\n    ->where('published', true)\n"
        "    ->latest()\n    ->paginate(20);",
        "Schema::table('posts', function (Blueprint $table) {\n"
        "    $table->index(['published', 'created_at']);\n});",
    ),
    "java-spring": (
        '@RestController\npublic class HealthController {\n    @GetMapping("/health")\n'
        '    public Map<String, Boolean> health() {\n        return Map.of("ok", true);\n    }\n}',
        "spring.datasource.hikari.maximum-pool-size=20\n"
        "spring.datasource.hikari.connection-timeout=2000\n"
        "server.tomcat.max-swallow-size=1MB",
        "@Test\nvoid healthIsOk() throws Exception {\n"
        '    mvc.perform(get("/health")).andExpect(status().isOk());\n}',
    ),
    "ruby-rails": (
        "class HealthController < ApplicationController\n  def show\n"
        "    render json: { ok: true }\n  end\nend",
        "posts = Post.includes(:author)\n            .where(published: true)\n"
        "            .order(created_at: :desc)\n            .limit(20)",
        "class ImportPostJob < ApplicationJob\n  retry_on Timeout::Error, wait: :polynomially_longer, "
        "attempts: 5\n\n  def perform(reference)\n    Post.import_once(reference)\n  end\nend",
    ),
    "sql-postgres": (
        "explain (analyze, buffers)\nselect id, title\nfrom posts\n"
        "where published_at > now() - interval '7 days'\norder by published_at desc\nlimit 20;",
        "create index concurrently if not exists posts_reference_idx\n    on posts (reference);",
        "select query, calls, mean_exec_time\nfrom pg_stat_statements\n"
        "order by mean_exec_time desc\nlimit 10;",
    ),
    "sql-mysql": (
        "explain format=json\nselect id, title\nfrom posts\nwhere status = 'publish'\n"
        "order by created_at desc\nlimit 20;",
        "alter table posts\n    add index idx_reference (reference),\n"
        "    algorithm=inplace, lock=none;",
        "set global slow_query_log = 'ON';\nset global long_query_time = 0.5;",
    ),
    "yaml-kubernetes": (
        "readinessProbe:\n  httpGet:\n    path: /health\n    port: 8080\n"
        "  periodSeconds: 10\n  timeoutSeconds: 2",
        "resources:\n  requests:\n    cpu: 250m\n    memory: 256Mi\n  limits:\n    memory: 512Mi",
        "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: web\n"
        "spec:\n  minReplicas: 2\n  maxReplicas: 10",
    ),
    "yaml-compose": (
        'services:\n  web:\n    image: example/web:1.4.2\n    ports:\n      - "8080:8080"\n'
        '    healthcheck:\n      test: ["CMD", "curl", "-f", "http://localhost:8080/health"]\n'
        "      interval: 10s",
        "services:\n  db:\n    image: postgres:16\n    volumes:\n      - db-data:/var/lib/postgresql/data\n"
        "\nvolumes:\n  db-data: {}",
    ),
    "yaml-ci": (
        "jobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n"
        "      - run: make test",
        "- uses: actions/cache@v4\n  with:\n    path: ~/.cache\n"
        "    key: deps-${{ hashFiles('**/requirements.txt') }}",
    ),
    "bash-ops": (
        "#!/usr/bin/env bash\nset -euo pipefail\n\n"
        "curl -fsS --max-time 5 http://127.0.0.1:8080/health\n"
        "journalctl -u web --since '10 min ago' | tail -n 50",
        "df -h /var\ndu -sh /var/log/* | sort -h | tail -n 5",
        "systemctl status web --no-pager\nsystemctl reload nginx",
    ),
}
"""20 families in 11 languages; each family has at least two snippets."""
