package ffi

/*
#include <winsock2.h>

// Blocks until the queue's socket is readable, then empties it (it is non-blocking): 0, or
// the Winsock error.
static int ocus_go_wait_doorbell(long long socket) {
	SOCKET s = (SOCKET)socket;
	fd_set readable;
	FD_ZERO(&readable);
	FD_SET(s, &readable);
	if (select(0, &readable, NULL, NULL, NULL) == SOCKET_ERROR) return WSAGetLastError();
	char bytes[256];
	while (recv(s, bytes, sizeof bytes, 0) > 0) {
	}
	return 0;
}
*/
import "C"

import "fmt"

// WaitDoorbell blocks until results are queued (the queue's socket is readable) and clears
// the wake-up, holding the calling goroutine's OS thread meanwhile.
func (q *Queue) WaitDoorbell() error {
	if code := C.ocus_go_wait_doorbell(C.longlong(q.FD())); code != 0 {
		return fmt.Errorf("waiting for completions: Winsock error %d", int(code))
	}
	return nil
}
