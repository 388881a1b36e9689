#include "proto/common/string_arena.hpp"

#include <cstring>

namespace postern::proto {

void StringArena::note_truncation() {
    truncated_ = true;
    ++truncations_;
}

std::string_view StringArena::store(std::string_view s) {
    const size_t room = capacity_ - used_;
    const size_t n = s.size() < room ? s.size() : room;
    if (n < s.size()) note_truncation();
    char *dst = base_ + used_;
    if (n > 0) std::memcpy(dst, s.data(), n);
    used_ += n;
    open_start_ = used_;
    return {dst, n};
}

void StringArena::open() {
    open_start_ = used_;
    open_truncated_ = false;
}

void StringArena::append(std::string_view s) {
    const size_t room = capacity_ - used_;
    const size_t n = s.size() < room ? s.size() : room;
    if (n < s.size()) open_truncated_ = true;
    if (n > 0) std::memcpy(base_ + used_, s.data(), n);
    used_ += n;
}

void StringArena::append(char c) {
    if (used_ < capacity_) {
        base_[used_++] = c;
    } else {
        open_truncated_ = true;
    }
}

std::string_view StringArena::close() {
    if (open_truncated_) note_truncation();
    open_truncated_ = false;
    std::string_view v{base_ + open_start_, used_ - open_start_};
    open_start_ = used_;
    return v;
}

}  // namespace postern::proto
