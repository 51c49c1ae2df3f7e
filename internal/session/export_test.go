package session

// SameTime is sameTime for the package's external tests.
var SameTime = sameTime
