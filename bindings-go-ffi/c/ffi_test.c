/*
 * The C ABI against the emulator, built with gcc against include/ocus.h and the static
 * library, run under valgrind by `make test-c`: success, every error kind, cancellation from
 * another thread, close, cursors, webhooks and every free function.
 *
 * Usage: ffi_test BASE_URL   (the emulator's, started with its demo keys)
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ocus.h"

static const char *base_url;
static int failures;
static int checks;

#define CHECK(cond, ...)                                     \
  do {                                                       \
    checks++;                                                \
    if (!(cond)) {                                           \
      failures++;                                            \
      fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);   \
      fprintf(stderr, __VA_ARGS__);                          \
      fprintf(stderr, "\n");                                 \
    }                                                        \
  } while (0)

/* Calls the emulator's admin API (plain HTTP/1.1 over a socket); the response, cut to `size`,
 * goes to `response` if given. */
static void admin_call(const char *method, const char *path, const char *json, char *response, size_t size) {
  int port = 0;
  sscanf(strrchr(base_url, ':') + 1, "%d", &port);
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in addr = {0};
  addr.sin_family = AF_INET;
  addr.sin_port = htons((uint16_t)port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
    perror("admin connect");
    exit(2);
  }
  char request[2048];
  int n = snprintf(request, sizeof request,
                   "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                   "Content-Length: %zu\r\nConnection: close\r\n\r\n%s",
                   method, path, strlen(json), json);
  if (write(fd, request, (size_t)n) != n) exit(2);
  char sink[4096];
  size_t used = 0;
  ssize_t got;
  while ((got = read(fd, response && used < size - 1 ? response + used : sink,
                     response && used < size - 1 ? size - 1 - used : sizeof sink)) > 0) {
    if (response && used < size - 1) used += (size_t)got;
  }
  if (response) response[used] = 0;
  close(fd);
}

static void admin_post(const char *path, const char *json) { admin_call("POST", path, json, NULL, 0); }

/* How many /v3 requests the emulator has logged. */
static int admin_requests_count(void) {
  static char log[1 << 16];
  admin_call("GET", "/__admin/requests", "", log, sizeof log);
  int count = 0;
  for (const char *at = log; (at = strstr(at, "\"origin\":\"main\"")) != NULL; at++) count++;
  return count;
}

/* A client of the emulator: `extra` is more JSON members (or ""). */
static OcusClient *client_with(const char *key, const char *extra) {
  char options[512];
  snprintf(options, sizeof options, "{\"api_key\": \"%s\", \"base_url\": \"%s\", \"max_retries\": 0%s}", key,
           base_url, extra);
  OcusClient *client = NULL;
  OcusError *err = NULL;
  int rc = ocus_client_new(options, &client, &err);
  CHECK(rc == OCUS_OK && client != NULL && err == NULL, "client_new rc=%d", rc);
  return client;
}

/* Calls get on `id` and checks the resulting code, kind and status. */
static void expect_get(OcusClient *client, const char *id, int code, const char *kind, int status) {
  char *json = NULL;
  OcusError *err = NULL;
  int rc = ocus_projects_get(client, id, strlen(id), NULL, NULL, &json, &err);
  CHECK(rc == code, "get %s: rc=%d, expected %d", id, rc, code);
  if (code == OCUS_OK) {
    CHECK(json != NULL && strstr(json, id) != NULL, "get %s: json %s", id, json ? json : "(null)");
    CHECK(err == NULL, "get: err set on success");
  } else {
    CHECK(json == NULL, "get: json set on error");
    CHECK(err != NULL, "get: no error struct");
    if (err) {
      CHECK(err->code == code, "err->code %d", err->code);
      CHECK(strcmp(err->kind, kind) == 0, "kind %s, expected %s", err->kind, kind);
      CHECK(err->status == status, "status %d, expected %d", err->status, status);
      CHECK(err->message != NULL && err->display != NULL, "message/display");
      if (status != 0) CHECK(err->request_id != NULL, "request id for HTTP errors");
      if (strcmp(kind, "connection") == 0) CHECK(err->causes != NULL && err->causes[0] != '\0', "a connection error carries its causes");
    }
  }
  ocus_string_free(json);
  ocus_error_free(err);
}

struct blocked_call {
  OcusClient *client;
  OcusCancel *cancel;
  int rc;
  char kind[32];
};

static void *call_in_thread(void *arg) {
  struct blocked_call *call = arg;
  char *json = NULL;
  OcusError *err = NULL;
  const char *id = "910a2dec-8902-4cc1-9758-35de1c9756ce";
  call->rc = ocus_projects_get(call->client, id, strlen(id), NULL, call->cancel, &json, &err);
  if (err) snprintf(call->kind, sizeof call->kind, "%s", err->kind);
  ocus_string_free(json);
  ocus_error_free(err);
  return NULL;
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s BASE_URL\n", argv[0]);
    return 2;
  }
  base_url = argv[1];
  const char *id0 = "910a2dec-8902-4cc1-9758-35de1c9756ce";
  CHECK(strlen(ocus_version()) > 0, "version");

  /* Configuration errors, before anything is sent. */
  {
    OcusClient *client = NULL;
    OcusError *err = NULL;
    int rc = ocus_client_new("{\"api_key\": \"two words\"}", &client, &err);
    CHECK(rc == OCUS_ERR_CONFIGURATION && client == NULL, "bad key rc=%d", rc);
    CHECK(err && strcmp(err->kind, "configuration") == 0 && strstr(err->message, "two words") == NULL, "bad key error");
    ocus_error_free(err);
    const char *insecure = "{\"api_key\": \"ocus_demo_key\", \"base_url\": \"http://api.ocus.io/v3\"}";
    rc = ocus_client_new(insecure, &client, NULL); /* err may be NULL */
    CHECK(rc == OCUS_ERR_CONFIGURATION, "insecure URL rc=%d", rc);
    rc = ocus_client_new("{\"api_key\": \"ocus_demo_key\"}", NULL, NULL);
    CHECK(rc == OCUS_ERR_CONFIGURATION, "NULL out rc=%d", rc);
    err = NULL;
    rc = ocus_client_new("[1, 2]", &client, &err);
    CHECK(rc == OCUS_ERR_CONFIGURATION && err && strstr(err->message, "options_json is not a JSON object"), "not an object");
    ocus_error_free(err);
  }

  OcusClient *client = client_with("ocus_demo_key", "");
  char *url = ocus_client_base_url(client);
  CHECK(url && strcmp(url, base_url) == 0, "base url %s", url);
  ocus_string_free(url);

  /* Success, and the statuses the emulator produces on its own. */
  expect_get(client, id0, OCUS_OK, NULL, 0);
  expect_get(client, "00000000-0000-4000-8000-000000000000", OCUS_ERR_NOT_FOUND, "not_found", 404);
  OcusClient *unknown = client_with("not_a_real_key", "");
  expect_get(unknown, id0, OCUS_ERR_UNAUTHORIZED, "unauthorized", 401);
  ocus_client_free(unknown);
  OcusClient *revoked = client_with("ocus_demo_revoked_key", "");
  expect_get(revoked, id0, OCUS_ERR_FORBIDDEN, "forbidden", 403);
  ocus_client_free(revoked);

  /* Every other kind through injected faults. */
  struct {
    const char *fault;
    int code;
    const char *kind;
    int status;
  } faults[] = {
      {"{\"status\": 400}", OCUS_ERR_INVALID_REQUEST, "invalid_request", 400},
      {"{\"status\": 405}", OCUS_ERR_METHOD_NOT_ALLOWED, "method_not_allowed", 405},
      {"{\"status\": 409}", OCUS_ERR_CONFLICT, "conflict", 409},
      {"{\"status\": 429, \"headers\": {\"Retry-After\": \"7\"}}", OCUS_ERR_RATE_LIMITED, "rate_limited", 429},
      {"{\"status\": 500}", OCUS_ERR_SERVER_ERROR, "server_error", 500},
      {"{\"status\": 503}", OCUS_ERR_SERVICE_UNAVAILABLE, "service_unavailable", 503},
      {"{\"status\": 418}", OCUS_ERR_API_ERROR, "api_error", 418},
      {"{\"action\": \"malformed\"}", OCUS_ERR_DECODE, "decode", 0},
      {"{\"action\": \"reset\"}", OCUS_ERR_CONNECTION, "connection", 0},
  };
  for (size_t i = 0; i < sizeof faults / sizeof faults[0]; i++) {
    admin_post("/__admin/faults", faults[i].fault);
    expect_get(client, id0, faults[i].code, faults[i].kind, faults[i].status);
  }
  {
    admin_post("/__admin/faults", "{\"status\": 429, \"headers\": {\"Retry-After\": \"7\"}}");
    OcusError *err = NULL;
    char *json = NULL;
    ocus_projects_get(client, id0, strlen(id0), NULL, NULL, &json, &err);
    CHECK(err && err->retry_after_ms == 7000 && err->error_code && strcmp(err->error_code, "rate_limited") == 0,
          "retry-after and code");
    ocus_error_free(err);
  }
  OcusClient *refused = NULL;
  {
    ocus_client_new("{\"api_key\": \"ocus_demo_key\", \"base_url\": \"http://127.0.0.1:9/v3\", \"max_retries\": 0}",
                    &refused, NULL);
    expect_get(refused, id0, OCUS_ERR_CONNECTION, "connection", 0);
    ocus_client_free(refused);
  }
  /* Log events as JSON lines on a descriptor (here a pipe), the key never among them. */
  {
    int fds[2];
    CHECK(pipe(fds) == 0, "pipe");
    char extra[64];
    snprintf(extra, sizeof extra, ", \"log_fd\": %d, \"log_level\": \"trace\"", fds[1]);
    OcusClient *logged = client_with("ocus_demo_key", extra);
    close(fds[1]); /* the library writes to its own copy */
    expect_get(logged, id0, OCUS_OK, NULL, 0);
    expect_get(logged, "missing", OCUS_ERR_NOT_FOUND, "not_found", 404);
    ocus_client_free(logged); /* closes the library's copy: the reader sees the end */
    char lines[4096] = {0};
    size_t used = 0;
    ssize_t n;
    while (used < sizeof lines - 1 && (n = read(fds[0], lines + used, sizeof lines - 1 - used)) > 0) used += (size_t)n;
    close(fds[0]);
    CHECK(strstr(lines, "{\"level\":\"debug\",\"message\":\"request succeeded\",\"method\":\"GET\",\"path\":\"/v3/projects/") &&
              strstr(lines, "\"status\":404,\"kind\":\"not_found\"") && !strstr(lines, "ocus_demo_key"),
          "log lines: %s", lines);
    OcusError *err = NULL;
    OcusClient *bad = NULL;
    int rc = ocus_client_new("{\"api_key\": \"k\", \"log_fd\": 987654}", &bad, &err);
    CHECK(rc == OCUS_ERR_CONFIGURATION && bad == NULL && err && strstr(err->message, "log_fd 987654 is not an open file descriptor"),
          "bad log_fd rc=%d %s", rc, err ? err->message : "");
    ocus_error_free(err);
  }
  OcusClient *impatient = client_with("ocus_demo_key", ", \"timeout_ms\": 200");
  admin_post("/__admin/faults", "{\"action\": \"hang\"}");
  expect_get(impatient, id0, OCUS_ERR_TIMEOUT, "timeout", 0);
  ocus_client_free(impatient);

  /* Cancellation from another thread, then close while a call runs. */
  {
    admin_post("/__admin/faults", "{\"action\": \"hang\"}");
    struct blocked_call call = {client, ocus_cancel_new(), -1, ""};
    pthread_t thread;
    pthread_create(&thread, NULL, call_in_thread, &call);
    usleep(200 * 1000);
    ocus_cancel_cancel(call.cancel);
    pthread_join(thread, NULL);
    CHECK(call.rc == OCUS_ERR_CANCELLED && strcmp(call.kind, "cancelled") == 0, "cancel rc=%d kind=%s", call.rc, call.kind);
    ocus_cancel_free(call.cancel);
    expect_get(client, id0, OCUS_OK, NULL, 0); /* still usable */
  }

  /* A generic request, a page, a cursor over every page, rotation. */
  {
    char *json = NULL;
    int rc = ocus_request(client, "GET", 3, "/projects", 9, "{\"query\": {\"page[size]\": 2}}", NULL, &json, NULL);
    CHECK(rc == OCUS_OK && strstr(json, "\"page_size\":2"), "request rc=%d", rc);
    /* The body under "value", the response's status, request id and headers beside it. */
    CHECK(rc == OCUS_OK && strncmp(json, "{\"value\":{", 10) == 0 && strstr(json, "\"response\":{\"status\":200,\"request_id\":\"req_") &&
              strstr(json, "\"content-type\":\"application/json\""),
          "request envelope %s", json ? json : "(null)");
    ocus_string_free(json);
    json = NULL;
    OcusError *err = NULL;
    rc = ocus_request(client, "GET", 3, "/projects", 9, "{not json", NULL, &json, &err);
    CHECK(rc == OCUS_ERR_CONFIGURATION && json == NULL, "bad options json rc=%d", rc);
    ocus_error_free(err);
    err = NULL;
    rc = ocus_request(client, "POST", 4, "/projects", 9, "{\"json\": {\"data\": {\"type\": \"project\"}}}", NULL, &json, &err);
    CHECK(rc == OCUS_ERR_METHOD_NOT_ALLOWED && json == NULL, "post with a body rc=%d", rc);
    ocus_error_free(err);
    json = NULL;
    err = NULL;
    /* Text arguments are pointer and length: a NUL is one more byte for the core to judge. */
    rc = ocus_projects_get(client, "a\0b", 3, NULL, NULL, &json, &err);
    CHECK(rc == OCUS_ERR_NOT_FOUND && json == NULL, "id with a NUL rc=%d", rc);
    ocus_error_free(err);
    err = NULL;
    rc = ocus_request(client, "G\xffT", 3, "/projects", 9, NULL, NULL, &json, &err);
    CHECK(rc == OCUS_ERR_CONFIGURATION && err && strstr(err->message, "method is not valid UTF-8"), "bad UTF-8 rc=%d", rc);
    ocus_error_free(err);
    err = NULL;
    rc = ocus_projects_get(client, NULL, 4, NULL, NULL, &json, &err);
    CHECK(rc == OCUS_ERR_CONFIGURATION && err && strstr(err->message, "NULL"), "NULL with a length rc=%d", rc);
    ocus_error_free(err);
    err = NULL;
    /* A NULL out-pointer is refused before anything is sent: the queued 500 stays queued. */
    admin_post("/__admin/faults", "{\"status\": 500}");
    rc = ocus_projects_get(client, id0, strlen(id0), "{\"max_retries\": 0}", NULL, NULL, &err);
    CHECK(rc == OCUS_ERR_CONFIGURATION && err && strstr(err->message, "output pointer"), "NULL out rc=%d", rc);
    ocus_error_free(err);
    err = NULL;
    json = (char *)&checks; /* garbage the library must overwrite with NULL on error */
    rc = ocus_projects_get(client, id0, strlen(id0), "{\"max_retries\": 0}", NULL, &json, &err);
    CHECK(rc == OCUS_ERR_SERVER_ERROR && json == NULL, "the fault was still queued, and *out is NULL on error rc=%d", rc);
    ocus_error_free(err);
    /* Values set are validated by the core: negative is an error, never the default. */
    rc = ocus_projects_list(client, "{\"page_size\": -1}", NULL, &json, &err);
    CHECK(rc == OCUS_ERR_CONFIGURATION && json == NULL && err && strstr(err->message, "page_size must be a whole number from 1, not -1"),
          "negative page size rc=%d", rc);
    ocus_error_free(err);
    err = NULL;
    rc = ocus_projects_get(client, id0, strlen(id0), "{\"timeout_ms\": -5}", NULL, &json, &err);
    CHECK(rc == OCUS_ERR_CONFIGURATION && err && strstr(err->message, "timeout_ms must be a positive number of milliseconds, not -5"),
          "negative timeout rc=%d", rc);
    ocus_error_free(err);
    err = NULL;
    rc = ocus_projects_get(client, id0, strlen(id0), "{\"max_retries\": -1}", NULL, &json, &err);
    CHECK(rc == OCUS_ERR_CONFIGURATION, "negative retries rc=%d", rc);
    ocus_error_free(err);
    err = NULL;
    OcusClient *from_json = NULL;
    rc = ocus_client_new("{\"api_key\": \"k\", \"timeout_ms\": 0}", &from_json, &err);
    CHECK(rc == OCUS_ERR_CONFIGURATION && from_json == NULL && err && strstr(err->message, "timeout_ms must be a positive"),
          "zero timeout json rc=%d", rc);
    ocus_error_free(err);
    err = NULL;
    rc = ocus_client_new("{\"api_key\": \"k\", \"timeoutMS\": 5}", &from_json, &err);
    CHECK(rc == OCUS_ERR_CONFIGURATION && err && strstr(err->message, "unknown option \"timeoutMS\" (did you mean \"timeoutMs\"?"), "typo rc=%d", rc);
    ocus_error_free(err);
    err = NULL;
    rc = ocus_projects_list(client, "{\"page_size\": 3}", NULL, &json, NULL);
    CHECK(rc == OCUS_OK && strstr(json, "\"has_next\":true"), "list rc=%d", rc);
    ocus_string_free(json);
    OcusCursor *cursor = NULL;
    rc = ocus_cursor_new(client, "{\"page_size\": 50}", &cursor, NULL);
    CHECK(rc == OCUS_OK, "cursor rc=%d", rc);
    int pages = 0;
    for (;;) {
      char *page = NULL;
      rc = ocus_cursor_next(cursor, NULL, &page, NULL);
      if (rc != OCUS_OK) break;
      /* After the last page: no value and no response. */
      int last = strcmp(page, "{\"value\":null,\"response\":null}") == 0;
      CHECK(last || strstr(page, "\"response\":{\"status\":200"), "page %d %s", pages, page);
      ocus_string_free(page);
      if (last) break;
      pages++;
    }
    CHECK(rc == OCUS_OK && pages == 3, "cursor pages=%d rc=%d", pages, rc);
    ocus_cursor_free(cursor);
    rc = ocus_client_rotate_api_key(client, "bad key", 7, &err);
    CHECK(rc == OCUS_ERR_CONFIGURATION, "rotate to a bad key rc=%d", rc);
    ocus_error_free(err);
    CHECK(ocus_client_rotate_api_key(client, "ocus_demo_key", 13, NULL) == OCUS_OK, "rotate");
  }

  /* Calls started on the library's threads, delivered to a completion queue. */
  {
    OcusQueue *queue = ocus_queue_new();
    CHECK(queue != NULL && ocus_queue_fd(queue) >= 0, "queue");
    admin_post("/__admin/faults", "{\"status\": 404, \"path\": \"/v3/projects/missing\"}");
    CHECK(ocus_projects_get_start(client, id0, strlen(id0), NULL, NULL, queue, 1, NULL) == OCUS_OK, "get_start");
    CHECK(ocus_projects_get_start(client, "missing", 7, NULL, NULL, queue, 2, NULL) == OCUS_OK, "get_start 404");
    CHECK(ocus_projects_list_start(client, "{\"page_size\": 2}", NULL, queue, 3, NULL) == OCUS_OK, "list_start");
    CHECK(ocus_request_start(client, "GET", 3, "/projects", 9, NULL, NULL, queue, 4, NULL) == OCUS_OK, "request_start");
    OcusCursor *cursor = NULL;
    CHECK(ocus_cursor_new(client, "{\"page_size\": 2}", &cursor, NULL) == OCUS_OK, "cursor for next_start");
    CHECK(ocus_cursor_next_start(cursor, NULL, queue, 5, NULL) == OCUS_OK, "cursor_next_start");
    OcusError *err = NULL;
    CHECK(ocus_projects_get_start(client, id0, strlen(id0), "{\"timeout_ms\": 0}", NULL, queue, 6, &err) == OCUS_ERR_CONFIGURATION,
          "bad options refused before starting");
    ocus_error_free(err);
    int seen = 0, ok = 0, not_found = 0;
    while (seen < 5) {
      struct pollfd fd = {ocus_queue_fd(queue), POLLIN, 0};
      CHECK(poll(&fd, 1, 10000) == 1, "queue readable");
      char sink[64];
      while (read(fd.fd, sink, sizeof sink) > 0) {
      }
      OcusCompletion done[8];
      size_t n = ocus_queue_drain(queue, done, 8);
      for (size_t i = 0; i < n; i++, seen++) {
        CHECK(done[i].ticket >= 1 && done[i].ticket <= 5, "ticket %llu", (unsigned long long)done[i].ticket);
        if (done[i].ticket == 5)
          CHECK(done[i].code == OCUS_OK && strstr(done[i].json, "\"has_next\":true"), "cursor page %s", done[i].json ? done[i].json : "(null)");
        if (done[i].code == OCUS_OK && done[i].json) ok++;
        if (done[i].code == OCUS_ERR_NOT_FOUND && done[i].error && done[i].error->status == 404) not_found++;
        ocus_string_free(done[i].json);
        ocus_error_free(done[i].error);
      }
    }
    CHECK(ok == 4 && not_found == 1, "completions ok=%d not_found=%d", ok, not_found);
    ocus_cursor_free(cursor);
    ocus_queue_free(queue);
  }

  /* Calls started on an event-loop queue: they run in ocus_queue_turn, on this thread, which
     waits in poll() on the queue's descriptor as long as the last turn said. A hang with a
     timeout shows the runtime's timers fire between turns. */
  {
    OcusQueue *queue = ocus_queue_new_event_loop();
#ifdef __linux__
    CHECK(queue != NULL && ocus_queue_fd(queue) >= 0, "event-loop queue");
#else
    CHECK(queue == NULL, "an event-loop queue is Linux's");
#endif
    if (queue) {
      OcusClient *looped = NULL;
      char options[512];
      snprintf(options, sizeof options, "{\"api_key\": \"ocus_demo_key\", \"base_url\": \"%s\", \"max_retries\": 0}", base_url);
      CHECK(ocus_client_new(options, &looped, NULL) == OCUS_OK, "client for the event loop");
      admin_post("/__admin/faults", "{\"status\": 404, \"path\": \"/v3/projects/missing\"}");
      admin_post("/__admin/faults", "{\"action\": \"hang\", \"path\": \"/v3/projects/slow\"}");
      CHECK(ocus_projects_get_start(looped, id0, strlen(id0), NULL, NULL, queue, 1, NULL) == OCUS_OK, "loop get_start");
      CHECK(ocus_projects_get_start(looped, "missing", 7, NULL, NULL, queue, 2, NULL) == OCUS_OK, "loop 404");
      CHECK(ocus_projects_list_start(looped, "{\"page_size\": 2}", NULL, queue, 3, NULL) == OCUS_OK, "loop list_start");
      CHECK(ocus_request_start(looped, "GET", 3, "/projects/slow", 14, "{\"timeout_ms\": 300}", NULL, queue, 4, NULL) == OCUS_OK,
            "loop request_start");
      int seen = 0, ok = 0, not_found = 0, timed_out = 0, turns = 0, no_turn_due = 0;
      while (seen < 4 && turns < 100000) {
        OcusCompletion done[2];
        int32_t again_ms = -2;
        size_t n = ocus_queue_turn(queue, done, 2, &again_ms);
        turns++;
        for (size_t i = 0; i < n; i++, seen++) {
          if (done[i].code == OCUS_OK && done[i].json) ok++;
          if (done[i].code == OCUS_ERR_NOT_FOUND) not_found++;
          if (done[i].code == OCUS_ERR_TIMEOUT && done[i].ticket == 4) timed_out++;
          ocus_string_free(done[i].json);
          ocus_error_free(done[i].error);
        }
        if (again_ms < 0) no_turn_due++;
        if (seen < 4 && again_ms > 0) {
          struct pollfd fd = {ocus_queue_fd(queue), POLLIN, 0};
          poll(&fd, 1, again_ms);
        }
      }
      CHECK(ok == 2 && not_found == 1 && timed_out == 1, "event loop: ok=%d not_found=%d timed_out=%d", ok, not_found, timed_out);
      CHECK(no_turn_due == 0, "while calls ran, %d turns of %d said no turn was due", no_turn_due, turns);
      OcusCompletion none[1];
      int32_t again_ms = -2;
      CHECK(ocus_queue_turn(queue, none, 1, &again_ms) == 0 && again_ms != 0 && again_ms != 1,
            "nothing running: no tick (again_ms=%d)", (int)again_ms);
      ocus_client_free(looped);
      ocus_queue_free(queue);
    }
  }

  /* Webhooks. */
  {
    const char *body = "{\"type\":\"event\",\"id\":\"project.updated\",\"attributes\":{\"project_id\":\"p1\"}}";
    char *signature = NULL;
    CHECK(ocus_webhook_sign((const uint8_t *)body, strlen(body), "whsec", 5, NULL, 0, &signature, NULL) == OCUS_OK, "sign");
    char *json = NULL;
    int rc = ocus_webhook_verify((const uint8_t *)body, strlen(body), signature, strlen(signature), "whsec", 5, &json, NULL);
    CHECK(rc == OCUS_OK && strstr(json, "project.updated"), "verify rc=%d", rc);
    ocus_string_free(json);
    OcusError *err = NULL;
    rc = ocus_webhook_verify((const uint8_t *)body, strlen(body), signature, strlen(signature), "other", 5, &json, &err);
    CHECK(rc == OCUS_ERR_INVALID_SIGNATURE && err && strcmp(err->error_code, "signature_mismatch") == 0, "mismatch");
    ocus_error_free(err);
    err = NULL;
    rc = ocus_webhook_verify((const uint8_t *)body, strlen(body), NULL, 0, "whsec", 5, &json, &err);
    CHECK(rc == OCUS_ERR_INVALID_SIGNATURE && err && strcmp(err->error_code, "missing_signature") == 0, "missing");
    ocus_error_free(err);
    ocus_string_free(signature);
    /* The data form: the body's data member as JSON.stringify writes it (spacing differs). */
    const char *wrapped = "{ \"data\": {\"type\":\"event\", \"id\":\"project.updated\", \"attributes\":{\"project_id\":\"p1\"}} }";
    signature = NULL;
    rc = ocus_webhook_sign((const uint8_t *)wrapped, strlen(wrapped), "whsec", 5, "data", 4, &signature, NULL);
    CHECK(rc == OCUS_OK && signature && strlen(signature) == 64, "sign data rc=%d", rc);
    char *direct = NULL;
    const char *compact = "{\"type\":\"event\",\"id\":\"project.updated\",\"attributes\":{\"project_id\":\"p1\"}}";
    char *of_compact = NULL;
    ocus_webhook_sign((const uint8_t *)compact, strlen(compact), "whsec", 5, NULL, 0, &of_compact, NULL);
    CHECK(signature && of_compact && strcmp(signature, of_compact) == 0, "data form signs the compact data member");
    json = NULL;
    rc = ocus_webhook_verify((const uint8_t *)wrapped, strlen(wrapped), signature, strlen(signature), "whsec", 5, &json, NULL);
    CHECK(rc == OCUS_OK && json && strstr(json, "\"signed_part\":\"data\""), "verify data form rc=%d", rc);
    ocus_string_free(json);
    err = NULL;
    rc = ocus_webhook_sign((const uint8_t *)body, strlen(body), "whsec", 5, "raw", 3, &direct, &err);
    CHECK(rc == OCUS_ERR_CONFIGURATION && err && strstr(err->message, "unknown signed part"), "bad part rc=%d", rc);
    ocus_error_free(err);
    err = NULL;
    rc = ocus_webhook_sign((const uint8_t *)"[1]", 3, "whsec", 5, "data", 4, &direct, &err);
    CHECK(rc == OCUS_ERR_DECODE && err, "data form of a body without data rc=%d", rc);
    ocus_error_free(err);
    ocus_string_free(signature);
    ocus_string_free(of_compact);
  }

  /* Close while a call runs: it returns promptly; later calls fail; then free. */
  {
    admin_post("/__admin/faults", "{\"action\": \"hang\"}");
    struct blocked_call call = {client, NULL, -1, ""};
    pthread_t thread;
    pthread_create(&thread, NULL, call_in_thread, &call);
    usleep(200 * 1000);
    ocus_client_close(client);
    pthread_join(thread, NULL);
    CHECK(call.rc == OCUS_ERR_CONFIGURATION, "close while running rc=%d", call.rc);
    expect_get(client, id0, OCUS_ERR_CONFIGURATION, "configuration", 0);
    ocus_client_close(client); /* idempotent */
  }
  /* Every entry point given a NULL handle, or the closed client: a configuration error (the
   * closed client's code is client_closed), out-pointers left NULL, nothing sent. */
  {
    admin_call("DELETE", "/__admin/requests", "", NULL, 0);
    const char *id = id0;
    char *json = NULL;
    OcusCursor *cursor = NULL;
    struct { const OcusClient *handle; const char *code; } cases[] = {{NULL, NULL}, {client, "client_closed"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
      const OcusClient *c = cases[i].handle;
      int rcs[6];
      OcusError *errs[6] = {0};
      rcs[0] = ocus_projects_get(c, id, strlen(id), NULL, NULL, &json, &errs[0]);
      rcs[1] = ocus_projects_list(c, NULL, NULL, &json, &errs[1]);
      rcs[2] = ocus_request(c, "GET", 3, "/projects", 9, NULL, NULL, &json, &errs[2]);
      rcs[3] = ocus_cursor_new(c, NULL, &cursor, &errs[3]);
      rcs[4] = ocus_client_rotate_api_key(c, "ocus_demo_key", 13, &errs[4]);
      OcusQueue *queue = ocus_queue_new();
      rcs[5] = ocus_projects_get_start(c, id, strlen(id), NULL, NULL, queue, 1, &errs[5]);
      for (int k = 0; k < 6; k++) {
        /* A start on a closed client is accepted: its completion carries the error. */
        if (k == 5 && c != NULL) {
          CHECK(rcs[k] == OCUS_OK, "start on a closed client rc=%d", rcs[k]);
          struct pollfd ready = {ocus_queue_fd(queue), POLLIN, 0};
          OcusCompletion done[2];
          size_t n = 0;
          for (int waited = 0; n == 0 && waited < 50; waited++) {
            poll(&ready, 1, 100);
            n = ocus_queue_drain(queue, done, 2);
          }
          CHECK(n == 1 && done[0].ticket == 1 && done[0].code == OCUS_ERR_CONFIGURATION && done[0].json == NULL &&
                    done[0].error && strcmp(done[0].error->error_code, "client_closed") == 0,
                "completion of a start on a closed client n=%zu", n);
          if (n == 1) ocus_error_free(done[0].error);
          continue;
        }
        /* cursor_new on a closed client is allowed: its first page fails instead. */
        if (k == 3 && c != NULL) {
          CHECK(rcs[k] == OCUS_OK && cursor != NULL, "cursor on a closed client rc=%d", rcs[k]);
          char *page = NULL;
          OcusError *err = NULL;
          int rc = ocus_cursor_next(cursor, NULL, &page, &err);
          CHECK(rc == OCUS_ERR_CONFIGURATION && page == NULL && err && strcmp(err->error_code, "client_closed") == 0,
                "next page of a closed client's cursor rc=%d", rc);
          ocus_error_free(err);
          ocus_cursor_free(cursor);
          cursor = NULL;
          continue;
        }
        CHECK(rcs[k] == OCUS_ERR_CONFIGURATION && errs[k] && strcmp(errs[k]->kind, "configuration") == 0 &&
                  (cases[i].code == NULL || (errs[k]->error_code && strcmp(errs[k]->error_code, cases[i].code) == 0)),
              "entry point %d with %s rc=%d", k, c ? "a closed client" : "NULL", rcs[k]);
        ocus_error_free(errs[k]);
      }
      CHECK(json == NULL && cursor == NULL, "no result for a refused call");
      OcusCompletion done[4];
      CHECK(ocus_queue_drain(queue, done, 4) == 0, "a refused start delivers nothing");
      ocus_queue_free(queue);
    }
    OcusCursor *none = NULL;
    char *page = NULL;
    OcusError *err = NULL;
    CHECK(ocus_cursor_next(none, NULL, &page, &err) == OCUS_ERR_CONFIGURATION && page == NULL, "next of a NULL cursor");
    ocus_error_free(err);
    CHECK(ocus_client_base_url(NULL) == NULL && ocus_queue_fd(NULL) == -1, "NULL handles elsewhere");
    ocus_client_close(NULL); /* a no-op */
    CHECK(admin_requests_count() == 0, "nothing was sent");
  }
  ocus_client_free(client);
  ocus_client_free(NULL);
  ocus_error_free(NULL);
  ocus_string_free(NULL);
  ocus_cancel_free(NULL);

  printf("%d passed, %d failed\n", checks - failures, failures);
  return failures == 0 ? 0 : 1;
}
