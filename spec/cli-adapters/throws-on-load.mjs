throw new Error('cannot find libtorch.so');
