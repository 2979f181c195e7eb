package backoffice

import (
	"runtime"
	"syscall"
	"time"
)

// prSetTimerSlack is PR_SET_TIMERSLACK of prctl(2).
const prSetTimerSlack = 29

// sleepUntil blocks until deadline, waking within about 0.1 ms of it on this machine.
// time.Sleep wakes up to a millisecond late on an idle process, because Go's network poller
// waits in whole milliseconds. nanosleep on a thread with a timer slack of 1 µs does not.
func sleepUntil(deadline time.Time) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	syscall.RawSyscall(syscall.SYS_PRCTL, prSetTimerSlack, 1000, 0)

	for {
		d := time.Until(deadline)
		if d <= 0 {
			return
		}
		ts := syscall.NsecToTimespec(int64(d))
		syscall.Nanosleep(&ts, nil)
	}
}
