/** Written by `vqsim calibrate` (src/calibration/fit.ts): the fitted costs, ns. Do not edit by hand. */
export const FITTED_COSTS = {
  vcpu_wakeup_ns: 4235,
  wakeup_ns: 3929,
  blk_request_ns: 1289,
  blk_complete_ns: 622,
  irqfd_notify_ns: 1045,
  main_loop_iteration_ns: 3974,
  main_loop_request_ns: 305,
  native_submit_batch_ns: 1683,
  io_uring_enter_ns: 1751,
  threads_submit_req_ns: 2404
};
