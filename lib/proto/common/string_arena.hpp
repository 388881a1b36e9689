// Fixed storage for the strings kept for the current transaction (addresses, subject, file
// names...). No heap: when it is full, strings are cut and the truncation is counted, so a
// session object keeps a fixed size in the worker's preallocated pool.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace postern::proto {

class StringArena {
public:
    StringArena(char *storage, size_t capacity) : base_(storage), capacity_(capacity) {}
    StringArena(const StringArena &) = delete;
    StringArena &operator=(const StringArena &) = delete;

    // Copies s (or as much of it as fits) and returns the stored view.
    std::string_view store(std::string_view s);

    // Builds one string in place: open(), append()..., close() returns it. One at a time.
    void open();
    void append(std::string_view s);
    void append(char c);
    std::string_view close();
    size_t open_size() const { return used_ - open_start_; }

    void clear() { used_ = 0, open_start_ = 0, truncated_ = false; }
    size_t used() const { return used_; }
    size_t capacity() const { return capacity_; }
    bool truncated() const { return truncated_; }  // since clear()
    uint64_t truncations() const { return truncations_; }  // since construction

private:
    void note_truncation();

    char *base_;
    size_t capacity_;
    size_t used_ = 0;
    size_t open_start_ = 0;
    bool truncated_ = false;
    bool open_truncated_ = false;
    uint64_t truncations_ = 0;
};

template <size_t N>
class FixedStringArena : public StringArena {
public:
    FixedStringArena() : StringArena(storage_, N) {}

private:
    char storage_[N];
};

}  // namespace postern::proto
