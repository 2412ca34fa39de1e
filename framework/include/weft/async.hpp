// weft's coroutine core: tasks, deadlines, concurrency and async generators.
#pragma once

#include <weft/async/gather.hpp>
#include <weft/async/generator.hpp>
#include <weft/async/outcome.hpp>
#include <weft/async/race.hpp>
#include <weft/async/run.hpp>
#include <weft/async/signals.hpp>
#include <weft/async/sleep.hpp>
#include <weft/async/task.hpp>
#include <weft/async/task_group.hpp>
#include <weft/async/timeout_error.hpp>
#include <weft/async/wait_until.hpp>
#include <weft/async/with_timeout.hpp>
