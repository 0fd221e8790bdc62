#include "storage/sqlite.h"

#include <utility>

namespace kinesim::sqlite {

Connection::~Connection() {
  if (db_) sqlite3_close_v2(db_);
}

Connection& Connection::operator=(Connection&& o) noexcept {
  if (this != &o) {
    if (db_) sqlite3_close_v2(db_);
    db_ = std::exchange(o.db_, nullptr);
  }
  return *this;
}

Status Connection::open(const std::string& path, bool create) {
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX;
  if (create) flags |= SQLITE_OPEN_CREATE;
  const int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
  if (rc != SQLITE_OK) {
    Status s =
        Status::Error(StatusCode::kInternal, "cannot open " + path + ": " +
                                                 (db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc)));
    sqlite3_close_v2(db_);
    db_ = nullptr;
    return s;
  }
  sqlite3_extended_result_codes(db_, 1);
  return Status::Ok();
}

Status Connection::exec(std::string_view sql) {
  char* err = nullptr;
  const std::string text(sql);
  if (sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    Status s = Status::Error(StatusCode::kInternal, err ? err : "sqlite3_exec failed");
    sqlite3_free(err);
    return s;
  }
  return Status::Ok();
}

Status Connection::prepare(std::string_view sql, Statement* out) const {
  return sqlite::prepare(db_, sql, out);
}

Status prepare(sqlite3* db, std::string_view sql, Statement* out) {
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                         &st, nullptr) != SQLITE_OK) {
    return Status::Error(StatusCode::kInternal,
                         "prepare: " + std::string(sqlite3_errmsg(db)) + " in " + std::string(sql));
  }
  *out = Statement();
  out->st_ = st;
  return Status::Ok();
}

Status Connection::error(std::string_view what) const {
  return Status::Error(StatusCode::kInternal, std::string(what) + ": " + sqlite3_errmsg(db_));
}

Statement::~Statement() {
  if (st_) sqlite3_finalize(st_);
}

Statement& Statement::operator=(Statement&& o) noexcept {
  if (this != &o) {
    if (st_) sqlite3_finalize(st_);
    st_ = std::exchange(o.st_, nullptr);
  }
  return *this;
}

Status Statement::run(const Connection& db) {
  const int rc = step();
  reset();
  if (rc != SQLITE_DONE && rc != SQLITE_ROW) return db.error("step");
  return Status::Ok();
}

Statement& StatementCache::get(sqlite3* db, const char* sql) {
  auto [it, inserted] = statements_.try_emplace(sql);
  if (inserted) (void)prepare(db, sql, &it->second);
  return it->second;
}

}  // namespace kinesim::sqlite
