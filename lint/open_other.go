//go:build !unix

package lint

// openNonblock is not needed where opening a file cannot block.
const openNonblock = 0
