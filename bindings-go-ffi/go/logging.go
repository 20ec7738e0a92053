package ocus

import (
	"context"
	"encoding/json"
	"log/slog"
	"math"
	"time"
)

// Levels beyond slog's four, for WithLogLevel.
const (
	LevelTrace = slog.LevelDebug - 4       // every event the library has
	LevelOff   = slog.Level(math.MaxInt32) // none
)

// WithLogger sends the client's log events (method, path, status, attempt, elapsed, request
// id; never the key, bodies or proxy credentials) to logger, which filters them by its own
// level too. Which events the library sends is set by WithLogLevel, else OCUS_LOG, else warn.
// Without WithLogger they go to slog.Default()'s handler unfiltered, so OCUS_LOG=debug shows
// debug events even where the default logger stops at info (as the CLI's OCUS_LOG does).
func WithLogger(logger *slog.Logger) Option {
	return func(o map[string]any) { o[loggerKey] = logger }
}

// WithLogLevel sets which events the client logs: LevelTrace, slog.LevelDebug, slog.LevelInfo,
// slog.LevelWarn (the default, unless OCUS_LOG names another), slog.LevelError or LevelOff.
func WithLogLevel(level slog.Level) Option {
	return func(o map[string]any) { o["log_level"] = levelName(level) }
}

// loggerKey holds the *slog.Logger among the options until NewClient takes it out: it is not
// one of the library's options.
const loggerKey = "\x00logger"

func levelName(level slog.Level) string {
	switch {
	case level >= LevelOff:
		return "off"
	case level < slog.LevelDebug:
		return "trace"
	case level < slog.LevelInfo:
		return "debug"
	case level < slog.LevelWarn:
		return "info"
	case level < slog.LevelError:
		return "warn"
	default:
		return "error"
	}
}

// logEvent is one event as the library writes it (one JSON line).
type logEvent struct {
	Level     string  `json:"level"`
	Message   string  `json:"message"`
	Method    string  `json:"method"`
	Path      string  `json:"path"`
	Status    int     `json:"status"`
	Kind      string  `json:"kind"`
	Attempt   int     `json:"attempt"`
	ElapsedMs *uint64 `json:"elapsed_ms"`
	RequestID string  `json:"request_id"`
	WaitMs    *uint64 `json:"wait_ms"`
	Error     string  `json:"error"`
}

func (e *logEvent) record() slog.Record {
	level := map[string]slog.Level{"error": slog.LevelError, "warn": slog.LevelWarn, "info": slog.LevelInfo, "debug": slog.LevelDebug}[e.Level]
	if e.Level == "trace" {
		level = LevelTrace
	}
	r := slog.NewRecord(time.Now(), level, "ocus: "+e.Message, 0)
	add := func(key, value string) {
		if value != "" {
			r.AddAttrs(slog.String(key, value))
		}
	}
	add("method", e.Method)
	add("path", e.Path)
	if e.Status != 0 {
		r.AddAttrs(slog.Int("status", e.Status))
	}
	add("kind", e.Kind)
	if e.Attempt != 0 {
		r.AddAttrs(slog.Int("attempt", e.Attempt))
	}
	if e.ElapsedMs != nil {
		r.AddAttrs(slog.Duration("elapsed", time.Duration(*e.ElapsedMs)*time.Millisecond))
	}
	add("request_id", e.RequestID)
	if e.WaitMs != nil {
		r.AddAttrs(slog.Duration("wait", time.Duration(*e.WaitMs)*time.Millisecond))
	}
	add("error", e.Error)
	return r
}

// handleEvent hands one line the library wrote (a JSON event) to logger (nil: slog.Default(),
// unfiltered: the library's level decides).
func handleEvent(logger *slog.Logger, line []byte) {
	var event logEvent
	if json.Unmarshal(line, &event) != nil {
		return
	}
	record := event.record()
	ctx := context.Background()
	if logger == nil {
		slog.Default().Handler().Handle(ctx, record)
	} else if logger.Enabled(ctx, record.Level) {
		logger.Handler().Handle(ctx, record)
	}
}
