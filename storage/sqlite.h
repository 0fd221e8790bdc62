// Thin RAII wrappers over the SQLite C API: a connection and a prepared statement. Errors come
// back as Status values carrying SQLite's own message.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

#include "storage/status.h"

namespace kinesim::sqlite {

class Statement;

class Connection {
 public:
  Connection() = default;
  ~Connection();
  Connection(Connection&& o) noexcept : db_(o.db_) { o.db_ = nullptr; }
  Connection& operator=(Connection&& o) noexcept;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Opens (creating if asked) the database at `path`; SQLite URIs are accepted.
  Status open(const std::string& path, bool create);
  // Runs one or more statements that return no rows.
  Status exec(std::string_view sql);
  Status prepare(std::string_view sql, Statement* out) const;

  sqlite3* handle() const { return db_; }
  Status error(std::string_view what) const;

 private:
  sqlite3* db_ = nullptr;
};

// A prepared statement, reset after each use. Parameter and column indexes are 1- and 0-based,
// as in SQLite.
class Statement {
 public:
  Statement() = default;
  ~Statement();
  Statement(Statement&& o) noexcept : st_(o.st_) { o.st_ = nullptr; }
  Statement& operator=(Statement&& o) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  void bind(int i, int64_t v) { sqlite3_bind_int64(st_, i, v); }
  void bind(int i, std::string_view text) {
    sqlite3_bind_text(st_, i, text.data(), static_cast<int>(text.size()), SQLITE_STATIC);
  }
  void bind_blob(int i, std::string_view bytes) {
    sqlite3_bind_blob(st_, i, bytes.data(), static_cast<int>(bytes.size()), SQLITE_STATIC);
  }
  void bind_null(int i) { sqlite3_bind_null(st_, i); }

  // SQLITE_ROW, SQLITE_DONE or an error code.
  int step() { return sqlite3_step(st_); }
  // Steps a statement that returns no rows and resets it.
  Status run(const Connection& db);
  void reset() {
    sqlite3_reset(st_);
    sqlite3_clear_bindings(st_);
  }

  int64_t column_int(int i) const { return sqlite3_column_int64(st_, i); }
  bool column_is_null(int i) const { return sqlite3_column_type(st_, i) == SQLITE_NULL; }
  std::string_view column_text(int i) const {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(st_, i));
    return p ? std::string_view(p, static_cast<size_t>(sqlite3_column_bytes(st_, i)))
             : std::string_view();
  }
  std::string_view column_blob(int i) const {
    const auto* p = static_cast<const char*>(sqlite3_column_blob(st_, i));
    return p ? std::string_view(p, static_cast<size_t>(sqlite3_column_bytes(st_, i)))
             : std::string_view();
  }

 private:
  friend Status prepare(sqlite3* db, std::string_view sql, Statement* out);
  sqlite3_stmt* st_ = nullptr;
};

// Prepares `sql` on a raw connection handle (for statements on a borrowed connection).
Status prepare(sqlite3* db, std::string_view sql, Statement* out);

// Resets a statement when the scope ends, so early returns leave it reusable.
class ResetOnExit {
 public:
  explicit ResetOnExit(Statement& s) : s_(s) {}
  ~ResetOnExit() { s_.reset(); }
  ResetOnExit(const ResetOnExit&) = delete;
  ResetOnExit& operator=(const ResetOnExit&) = delete;

 private:
  Statement& s_;
};

// Statements prepared on first use and kept for the life of one connection, keyed by the address
// of their SQL text (which must therefore be a string literal). A statement that fails to prepare
// is kept empty: stepping it returns SQLITE_MISUSE, which callers already treat as a failure.
class StatementCache {
 public:
  Statement& get(sqlite3* db, const char* sql);
  void clear() { statements_.clear(); }

 private:
  std::unordered_map<const char*, Statement> statements_;
};

}  // namespace kinesim::sqlite
