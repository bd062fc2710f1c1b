/** Written by `vqsim calibrate` (src/calibration/fit.ts): the fitted costs, ns. Do not edit by hand. */
export const FITTED_COSTS = {
  vcpu_wakeup_ns: 6884,
  wakeup_ns: 4933,
  blk_request_ns: 1111,
  blk_complete_ns: 649,
  irqfd_notify_ns: 778,
  main_loop_iteration_ns: 2526,
  main_loop_request_ns: 226,
  native_submit_batch_ns: 1552,
  io_uring_enter_ns: 1493,
  threads_submit_req_ns: 1568
};
